"""The roadmaps API: a team's roadmap, its regeneration, item edits, org-wide gaps."""
