"""Small changes to tests/rubrics/data/mini.yaml, each making the file invalid.

CASES maps a name to (edits, expected errors): the expected errors give the exact line
of the changed file, the field path and a fragment of the message, in line order.
"""

from __future__ import annotations

from tests.rubrics.helpers import MINI_TEXT

D0 = "dimensions[0] (data)"
D1 = "dimensions[1] (ops)"
SNAPSHOTS = f"{D0}.questions[0] (data.snapshots)"
C_DOCUMENTED = f"{D0}.criteria[0] (data.l1.documented)"
C_VERSIONED = f"{D0}.criteria[1] (data.l2.versioned)"
C_VALIDATED = f"{D0}.criteria[2] (data.l3.validated)"
C_OWNER = f"{D1}.criteria[0] (ops.l1.owner)"
C_RUNBOOK = f"{D1}.criteria[1] (ops.l2.runbook)"
C_PASS_RATE = f"{D1}.criteria[2] (ops.l4.pass-rate)"
UNUSED_QUESTION = """    questions:
      - id: ops.unused
        type: yes_no
        text: Never asked?
    criteria:
      - id: ops.l1.owner"""
SECOND_SNAPSHOTS = """          - {value: versioned, label: Versioned snapshots, level: 2}
      - id: data.snapshots
        type: yes_no
        text: Asked twice?"""

CASES = {
    # --- ids and dimensions -------------------------------------------------------------
    "unknown dimension prefix (criterion)": (
        [("- id: ops.l4.pass-rate", "- id: infra.l4.pass-rate")],
        [
            (
                87,
                f"{D1}.criteria[2] (infra.l4.pass-rate).id",
                "unknown dimension 'infra'",
            )
        ],
    ),
    "unknown dimension prefix (shared question)": (
        [
            ("- id: data.snapshots", "- id: infra.snapshots"),
            ("question: data.snapshots", "question: infra.snapshots"),
            ("question: data.snapshots", "question: infra.snapshots"),
        ],
        [(17, f"{D0}.questions[0] (infra.snapshots).id", "unknown dimension 'infra'")],
    ),
    "criterion names another dimension": (
        [("- id: ops.l4.pass-rate", "- id: data.l4.pass-rate")],
        [
            (
                87,
                f"{D1}.criteria[2] (data.l4.pass-rate).id",
                "sits in dimension 'ops' but names dimension 'data'",
            )
        ],
    ),
    "criterion id without dimension": (
        [("- id: ops.l4.pass-rate", "- id: pass-rate")],
        [(87, f"{D1}.criteria[2] (pass-rate).id", "must start with its dimension id")],
    ),
    "duplicate dimension id": (
        [("  - id: ops\n", "  - id: data\n")],
        [
            (59, "dimensions[1] (data).id", "duplicate dimension id 'data'"),
            (
                65,
                "dimensions[1] (data).criteria[0] (ops.l1.owner).id",
                "unknown dimension 'ops'",
            ),
            (
                76,
                "dimensions[1] (data).criteria[1] (ops.l2.runbook).id",
                "unknown dimension 'ops'",
            ),
            (
                87,
                "dimensions[1] (data).criteria[2] (ops.l4.pass-rate).id",
                "unknown dimension 'ops'",
            ),
        ],
    ),
    "duplicate criterion id": (
        [("- id: ops.l2.runbook", "- id: ops.l1.owner")],
        [
            (
                76,
                f"{D1}.criteria[1] (ops.l1.owner).id",
                "duplicate criterion id 'ops.l1.owner'",
            )
        ],
    ),
    "duplicate question id": (
        [
            (
                "          - {value: versioned, label: Versioned snapshots, level: 2}",
                SECOND_SNAPSHOTS,
            )
        ],
        [
            (
                24,
                f"{D0}.questions[1] (data.snapshots).id",
                "duplicate question id 'data.snapshots'",
            )
        ],
    ),
    "shared question id taken by an inline question": (
        [
            ("- id: data.snapshots", "- id: data.l3.validated"),
            ("question: data.snapshots", "question: data.l3.validated"),
            ("question: data.snapshots", "question: data.l3.validated"),
        ],
        [(43, f"{C_VALIDATED}.id", "duplicate question id 'data.l3.validated'")],
    ),
    "duplicate option value": (
        [("{value: notes,", "{value: nobody,")],
        [(22, f"{SNAPSHOTS}.options[1].value", "duplicate option 'nobody'")],
    ),
    # --- prerequisites --------------------------------------------------------------------
    "prerequisite cycle": (
        [("        requires: []\n", "        requires: [data.l3.validated]\n")],
        [
            (
                29,
                f"{C_DOCUMENTED}.requires",
                "prerequisite cycle (each requires the next): data.l1.documented → "
                "data.l3.validated → data.l2.versioned → data.l1.documented",
            )
        ],
    ),
    "prerequisite that does not exist": (
        [("requires: [data.l1.documented]", "requires: [data.l1.missing]")],
        [
            (
                38,
                f"{C_VERSIONED}.requires[0]",
                "prerequisite 'data.l1.missing' does not exist",
            )
        ],
    ),
    "self-prerequisite": (
        [("        requires: []\n", "        requires: [data.l1.documented]\n")],
        [(29, f"{C_DOCUMENTED}.requires[0]", "a criterion cannot require itself")],
    ),
    # --- levels -----------------------------------------------------------------------------
    "criterion level above 4": (
        [("        level: 1\n", "        level: 5\n")],
        [(26, f"{C_DOCUMENTED}.level", "less than or equal to 4")],
    ),
    "criterion level 0": (
        [("        level: 1\n", "        level: 0\n")],
        [(26, f"{C_DOCUMENTED}.level", "greater than or equal to 1")],
    ),
    "rubric level out of range": (
        [("{level: 4, name: Closed loop}", "{level: 5, name: Closed loop}")],
        [(10, "levels[4].level", "less than or equal to 4")],
    ),
    "rubric level missing": (
        [("  - {level: 4, name: Closed loop}\n", "")],
        [(5, "levels", "must define each of the levels 0, 1, 2, 3 and 4")],
    ),
    "rubric level twice": (
        [("{level: 4, name: Closed loop}", "{level: 3, name: Closed loop}")],
        [
            (5, "levels", "must define each of the levels 0, 1, 2, 3 and 4"),
            (10, "levels[4].level", "duplicate level 3"),
        ],
    ),
    "option level out of range": (
        [("Versioned snapshots, level: 2}", "Versioned snapshots, level: 7}")],
        [(23, f"{SNAPSHOTS}.options[2].level", "less than or equal to 4")],
    ),
    "missing levels": (
        [(MINI_TEXT[MINI_TEXT.index("levels:") : MINI_TEXT.index("dimensions:")], "")],
        [(1, "levels", "This field is required.")],
    ),
    # --- evidence ---------------------------------------------------------------------------
    "unknown evidence rule": (
        [("evidence: artifact", "evidence: document")],
        [(79, f"{C_RUNBOOK}.evidence", "unknown evidence rule 'document'")],
    ),
    "unknown signal key": (
        [("signal:data_versioning", "signal:dvc")],
        [(37, f"{C_VERSIONED}.evidence", "unknown signal key 'dvc'")],
    ),
    "attest at level 3": (
        [("evidence: signal:data_validation", "evidence: attest")],
        [(46, f"{C_VALIDATED}.evidence", "levels 3 and 4 need proof")],
    ),
    "attest at level 4": (
        [("evidence: signal:ci_pass_rate", "evidence: attest")],
        [(90, f"{C_PASS_RATE}.evidence", "levels 3 and 4 need proof")],
    ),
    # --- questions ----------------------------------------------------------------------------
    "shared question without criterion": (
        [("    criteria:\n      - id: ops.l1.owner", UNUSED_QUESTION)],
        [(65, f"{D1}.questions[0] (ops.unused)", "question without criterion")],
    ),
    "unknown shared question": (
        [
            (
                "        question: data.snapshots\n      - id: data.l2",
                "        question: data.snapshot\n      - id: data.l2",
            )
        ],
        [(33, f"{C_DOCUMENTED}.question", "unknown shared question 'data.snapshot'")],
    ),
    "choice question with one option": (
        [
            ("          - {value: notes, label: Notes per run, level: 1}\n", ""),
            (
                "          - {value: versioned, label: Versioned snapshots, level: 2}\n",
                "",
            ),
        ],
        [(20, f"{SNAPSHOTS}.options", "needs at least two options")],
    ),
    "single_choice option without level": (
        [
            (
                "{value: nobody, label: Nobody knows, level: 0}",
                "{value: nobody, label: Nobody knows}",
            )
        ],
        [(21, f"{SNAPSHOTS}.options[0]", "single_choice options need a level")],
    ),
    "options on a yes_no question": (
        [
            (
                "text: Is there a runbook?",
                "text: Is there a runbook?\n          options: [{value: a, label: A}]",
            )
        ],
        [(87, f"{C_RUNBOOK}.question.options", "a yes_no question takes no options")],
    ),
    "unit on a text question": (
        [
            (
                "text: Who owns the model in production?",
                "text: Who owns it?\n          unit: people",
            )
        ],
        [(73, f"{C_OWNER}.question", "min, max and unit are for number questions")],
    ),
    "inline question with an id": (
        [
            (
                "          type: yes_no\n",
                "          id: ops.runbook\n          type: yes_no\n",
            )
        ],
        [
            (
                85,
                f"{C_RUNBOOK}.question.id",
                "an inline question takes its criterion's id",
            )
        ],
    ),
    # --- met_when -----------------------------------------------------------------------------
    "met_when missing": (
        [("        met_when: {any_of: [schema, ranges]}\n", "")],
        [(51, f"{C_VALIDATED}.question", "a multi_select question needs met_when")],
    ),
    "met_when not allowed": (
        [
            (
                "        question: data.snapshots\n",
                "        question: data.snapshots\n        met_when: {gte: 1}\n",
            )
        ],
        [(34, f"{C_DOCUMENTED}.met_when", "not allowed for a single_choice question")],
    ),
    "met_when unknown option": (
        [("{any_of: [schema, ranges]}", "{any_of: [schema, lasers]}")],
        [
            (
                58,
                f"{C_VALIDATED}.met_when.any_of",
                "must list option values of the question",
            )
        ],
    ),
    "met_when operator of another type": (
        [("{any_of: [schema, ranges]}", "{gte: 2}")],
        [
            (
                58,
                f"{C_VALIDATED}.met_when",
                "use exactly one of: all_of, any_of, min_selected",
            )
        ],
    ),
    "met_when two operators": (
        [("{gte: 90}", "{gte: 90, lte: 99}")],
        [(101, f"{C_PASS_RATE}.met_when", "use exactly one of: gte, lte")],
    ),
    "met_when not a number": (
        [("{gte: 90}", "{gte: ninety}")],
        [(101, f"{C_PASS_RATE}.met_when.gte", "must be a number")],
    ),
    "met_when min_selected above the options": (
        [("{any_of: [schema, ranges]}", "{min_selected: 4}")],
        [(58, f"{C_VALIDATED}.met_when.min_selected", "from 1 to 3")],
    ),
    # --- fields and YAML types ------------------------------------------------------------------
    "unknown criterion field (typo)": (
        [("        effort: S\n", "        efort: S\n")],
        [
            (25, f"{C_DOCUMENTED}.effort", "This field is required."),
            (30, f"{C_DOCUMENTED}.efort", "unknown field"),
        ],
    ),
    "unknown top-level field (typo)": (
        [("title: Mini rubric", "titel: Mini rubric")],
        [(1, "title", "This field is required."), (3, "titel", "unknown field")],
    ),
    "YAML boolean as option value": (
        [("{value: notes,", "{value: no,")],
        [(22, f"{SNAPSHOTS}.options[1].value", "must be text; quote it")],
    ),
    "YAML boolean as statement": (
        [("statement: A runbook exists.", "statement: yes")],
        [(78, f"{C_RUNBOOK}.statement", "must be text; quote it")],
    ),
    "YAML boolean as weight": (
        [("weight: 1.5", "weight: yes")],
        [(15, f"{D0}.weight", "must be a number")],
    ),
    "text as core flag": (
        [("core: true", "core: 'yes'")],
        [(14, f"{D0}.core", "must be true or false")],
    ),
    "duplicate key": (
        [
            (
                "        evidence: attest\n",
                "        evidence: attest\n        evidence: artifact\n",
            )
        ],
        [(29, f"{C_DOCUMENTED}.evidence", "duplicate key 'evidence'")],
    ),
    "bad version": (
        [("version: 1.0.0", "version: '1.0'")],
        [(2, "version", "must be a semantic version")],
    ),
}
