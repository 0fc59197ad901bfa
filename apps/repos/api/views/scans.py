"""What scans found over the API: a repository's scans (and a rescan), one scan with
its signals, a repository's current signals, its CI runs, and a team's signals.

Every signal's evidence links to the file at the scanned commit when the repository
is on GitHub or GitLab (apps.repos.links).
"""

from __future__ import annotations

from typing import get_args

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import InOrganization
from apps.core.api.pagination import PageNumberPagination, paginated_response
from apps.repos import selectors, services
from apps.repos.api import lookups
from apps.repos.api.serializers import (
    CIRunSerializer,
    RepoSignalsSerializer,
    ScanDetailSerializer,
    ScanSerializer,
    TeamSignalSerializer,
)
from apps.repos.collectors.records import Conclusion, Event
from apps.repos.models import Scan


class RepoScanListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    @extend_schema(responses=ScanSerializer(many=True))
    def get(self, request, repo_id: int):
        repo = lookups.visible_repo(request, repo_id)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=ScanSerializer,
            queryset=selectors.scan_list(repo=repo),
            request=request,
            view=self,
        )

    @extend_schema(
        request=None,
        responses={202: ScanSerializer},
        description="Queue a rescan; a scan already queued or running is returned.",
    )
    def post(self, request, repo_id: int):
        repo = lookups.visible_repo(request, repo_id)
        scan = services.scan_request(
            repo=repo, trigger=Scan.Trigger.MANUAL, requested_by=request.user
        )
        return Response(ScanSerializer(scan).data, status=status.HTTP_202_ACCEPTED)


class ScanDetailApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=ScanDetailSerializer)
    def get(self, request, scan_id: int):
        scan = lookups.visible_scan(request, scan_id)
        context = {
            "repo": scan.repo,
            "commit": scan.commit,
            "signals": selectors.signal_list(scan=scan),
        }
        return Response(ScanDetailSerializer(scan, context=context).data)


class RepoSignalsApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=RepoSignalsSerializer)
    def get(self, request, repo_id: int):
        repo = lookups.visible_repo(request, repo_id)
        scan = selectors.scan_latest(repo=repo, succeeded=True)
        signals = selectors.signal_list(scan=scan) if scan else []
        return Response(
            RepoSignalsSerializer(
                {"scan": scan, "signals": signals},
                context={"repo": repo, "commit": scan.commit if scan else ""},
            ).data
        )


class RepoRunListApi(APIView):
    pagination_class = PageNumberPagination
    permission_classes = [InOrganization]

    class FilterSerializer(serializers.Serializer):
        event = serializers.ChoiceField(choices=get_args(Event), required=False)
        conclusion = serializers.ChoiceField(
            choices=get_args(Conclusion), required=False
        )

    @extend_schema(parameters=[FilterSerializer], responses=CIRunSerializer(many=True))
    def get(self, request, repo_id: int):
        repo = lookups.visible_repo(request, repo_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            pagination_class=self.pagination_class,
            serializer_class=CIRunSerializer,
            queryset=selectors.ci_run_list(repo=repo, **filters.validated_data),
            request=request,
            view=self,
        )


class TeamSignalsApi(APIView):
    permission_classes = [InOrganization]

    @extend_schema(responses=TeamSignalSerializer(many=True))
    def get(self, request, team_id: int):
        team = lookups.visible_team(request, team_id)
        found = selectors.team_signals(team=team, now=timezone.now())
        signals = sorted(found.values(), key=lambda signal: signal.key)
        return Response(TeamSignalSerializer(signals, many=True).data)
