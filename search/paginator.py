from django.core.paginator import Paginator
from django.utils.functional import cached_property

from search.highlight import with_snippets
from search.query import RANKED_MATCHES

MAX_RESULTS = RANKED_MATCHES


class CappedPaginator(Paginator):
    """Pages of ``ranked`` ids, shown with_snippets. Counts at most MAX_RESULTS matches:
    nobody reads page 51, and counting stops early for a common word."""

    def __init__(self, *args, count_from, query: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_from = count_from
        self.query = query

    @cached_property
    def count(self):
        return self.count_from.order_by()[:MAX_RESULTS].count()

    @property
    def capped(self) -> bool:
        """Whether there may be more matches than were counted."""
        return self.count >= MAX_RESULTS

    def _get_page(self, object_list, *args, **kwargs):
        return super()._get_page(with_snippets(object_list, self.query), *args, **kwargs)
