from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Default list pagination: ?page=N&page_size=M (at most 200)."""

    page_size_query_param = "page_size"
    max_page_size = 200


class SeqCursorPagination(pagination.CursorPagination):
    """Cursor pagination over an append-only sequence, newest first."""

    ordering = "-seq"
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated_response(*, pagination_class, serializer_class, queryset, request, view):
    """Paginate a queryset and answer with the page (the Styleguide's shared helper)."""
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
