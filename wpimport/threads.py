"""Which WordPress comments come across, and where each goes in our one-level threads.

WordPress nests replies to any depth; here a reply belongs to a top-level comment, so each
comment joins the thread of its nearest ancestor that came across (comments.services.
comment_import finds that ancestor's top-level comment). Nothing here touches the database.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping

from wpimport.parser import WPComment

# WordPress's types for a reader's comment (pingbacks and trackbacks are not comments).
COMMENT_TYPES = ("", "comment")


def parents_first(comments: Iterable[WPComment]) -> list[WPComment]:
    """`comments` with each one after the comment it answers, and by date within a depth.

    Neither an export's order nor its dates can be trusted for that: a server's clock is
    wrong, a comment synced from elsewhere is dated before the one it answers, replies
    share a second and the IDs then sort as text.
    """
    comments = list(comments)
    depth = _depths(comments)
    return sorted(
        comments,
        key=lambda c: (
            depth[c.id],
            c.date.timestamp() if c.date else math.inf,
            # Shorter first sorts numeric IDs as numbers, whatever else an ID holds.
            (len(c.id), c.id),
        ),
    )


def why_left_out(comment: WPComment, body: str) -> str:
    """Why `comment` does not come across, or "" when it does."""
    if comment.type not in COMMENT_TYPES:
        return f"{comment.type}s are not comments"
    if comment.approved != "1":
        return {"spam": "marked as spam", "trash": "in the trash"}.get(
            comment.approved, "never approved"
        )
    if comment.date is None:
        return (
            comment.date_problem
            or "it has no date (comment_date_gmt and comment_date are not set)"
        )
    if not body:
        return "empty once markup is removed"
    return ""


def thread_parent(
    comment: WPComment,
    *,
    by_id: Mapping[str, WPComment],
    imported: Collection[str],
    left_out: Mapping[str, str],
) -> tuple[str | None, str]:
    """The WordPress ID of the nearest ancestor of `comment` that was `imported` (None: it
    starts a thread), and a note for the report when that is not its own parent."""
    parent_id, seen = comment.parent, {comment.id}
    while parent_id != "0" and parent_id not in imported:
        if parent_id not in by_id or parent_id in seen:
            parent_id = "0"
            break
        seen.add(parent_id)
        parent_id = by_id[parent_id].parent
    ancestor = None if parent_id == "0" else parent_id
    if comment.parent in ("0", ancestor):
        return ancestor, ""
    if comment.parent not in by_id:
        why = "is not in the export"
    elif comment.parent in left_out:
        why = f"was not imported ({left_out[comment.parent]})"
    else:
        why = "is one of its own replies (the thread loops)"
    where = (
        f"it joins the thread of comment {ancestor}"
        if ancestor
        else "it is now a top-level comment"
    )
    return ancestor, f"its parent, comment {comment.parent}, {why}; {where}"


def _depths(comments: list[WPComment]) -> dict[str, int]:
    """How many ancestors each comment has in the export (a loop counts as a start)."""
    by_id = {c.id: c for c in comments}
    depths: dict[str, int] = {}
    for comment in comments:
        chain: list[str] = []
        node: WPComment | None = comment
        while node is not None and node.id not in depths and node.id not in chain:
            chain.append(node.id)
            node = by_id.get(node.parent) if node.parent != "0" else None
        base = depths[node.id] + 1 if node is not None and node.id in depths else 0
        for offset, comment_id in enumerate(reversed(chain)):
            depths[comment_id] = base + offset
    return depths
