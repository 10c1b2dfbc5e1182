from django.core.paginator import Paginator

from search.highlight import with_snippets
from search.query import RANKED_MATCHES

MAX_RESULTS = RANKED_MATCHES


class CappedPaginator(Paginator):
    """Pages of ``ranked`` ids, shown with_snippets. Counts at most MAX_RESULTS matches:
    nobody reads page 51, and the ranking found no more than that anyway."""

    def __init__(self, object_list, *args, query: str, **kwargs):
        super().__init__(object_list[:MAX_RESULTS], *args, **kwargs)
        self.query = query

    @property
    def capped(self) -> bool:
        """Whether there may be more matches than were counted."""
        return self.count >= MAX_RESULTS

    def _get_page(self, object_list, *args, **kwargs):
        return super()._get_page(with_snippets(object_list, self.query), *args, **kwargs)
