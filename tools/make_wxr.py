"""Write a synthetic WordPress export (WXR 1.2) the size of a real newsroom's, for timing
and measuring the memory of `manage.py import_wordpress` (issue 12: a 21 MB export,
2,018 posts and 30,152 comments, in <= 2 minutes and <= 300 MB).

    python tools/make_wxr.py /tmp/export.xml                # 2,018 posts, ~21 MB
    python tools/make_wxr.py /tmp/big.xml --posts 5000 --comments-per-post 20

Seeded, so the same arguments write the same file. The words come from demo/data/; the
shape (authors, categories, tags, posts with postmeta, threaded comments, some
unapproved and some pingbacks) is what WordPress 6.x writes.
"""

# ruff: noqa: S311 - synthetic text, nothing secret is drawn at random

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo.wordlists import words  # noqa: E402

SITE = "https://news.example.org"
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>The Example Courier</title>
	<link>{site}</link>
	<description>News</description>
	<language>en-GB</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>{site}</wp:base_site_url>
	<wp:base_blog_url>{site}</wp:base_blog_url>
"""


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wp_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class Newsroom:
    def __init__(self, rng: random.Random, body_paragraphs: int):
        self.rng = rng
        self.w = words()
        self.body_paragraphs = body_paragraphs
        self.sections = list(self.w.sections)
        self.logins = [
            f"{first.lower()}.{last.lower()}"
            for first, last in zip(self.w.first_names[:24], self.w.last_names[:24], strict=False)
        ]
        self.tags = self.w.tags[:80]

    def sentence(self, topic: str) -> str:
        return self.rng.choice(self.w.sentences).format(
            subject=self.rng.choice(self.w.subjects), topic=topic
        )

    def header(self) -> str:
        parts = [HEADER.format(site=SITE)]
        for number, login in enumerate(self.logins, 1):
            first, last = login.split(".")
            parts.append(
                f"\t<wp:author><wp:author_id>{number}</wp:author_id>"
                f"<wp:author_login>{cdata(login)}</wp:author_login>"
                f"<wp:author_email>{cdata(login + '@example.org')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(first.title() + ' ' + last.title())}"
                "</wp:author_display_name></wp:author>\n"
            )
        for number, name in enumerate(self.sections, 1):
            parts.append(
                f"\t<wp:category><wp:term_id>{number}</wp:term_id>"
                f"<wp:category_nicename>{cdata(self.slug(name))}</wp:category_nicename>"
                f"<wp:category_parent>{cdata('')}</wp:category_parent>"
                f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n"
            )
        for number, name in enumerate(self.tags, 100):
            parts.append(
                f"\t<wp:tag><wp:term_id>{number}</wp:term_id>"
                f"<wp:tag_slug>{cdata(self.slug(name))}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n"
            )
        return "".join(parts)

    @staticmethod
    def slug(name: str) -> str:
        return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())

    def post(self, post_id: int, published: datetime, comments: int, first_comment: int) -> str:
        rng = self.rng
        section = rng.choice(self.sections)
        topic = rng.choice(self.w.sections[section])
        title = f"{rng.choice(self.w.subjects)} {rng.choice(self.w.verbs)} {topic}"
        title = title[0].upper() + title[1:]
        slug = f"{self.slug(title)[:150]}-{post_id}"
        paragraphs = "\n\n".join(
            " ".join(self.sentence(topic) for _ in range(rng.randint(3, 6)))
            for _ in range(rng.randint(self.body_paragraphs // 2, self.body_paragraphs))
        )
        status = "publish" if post_id % 40 else rng.choice(("draft", "pending", "private"))
        link = f"{SITE}/{published:%Y/%m}/{slug}/"
        terms = [
            f'\t\t<category domain="category" nicename="{self.slug(section)}">'
            f"{cdata(section)}</category>"
        ]
        for tag in rng.sample(self.tags, rng.randint(1, 4)):
            terms.append(
                f'\t\t<category domain="post_tag" nicename="{self.slug(tag)}">'
                f"{cdata(tag)}</category>"
            )
        thread = [
            self.comment(first_comment + n, first_comment, published, n) for n in range(comments)
        ]
        excerpt = self.sentence(topic) if rng.random() < 0.6 else ""
        return f"""	<item>
		<title>{escape(title)}</title>
		<link>{link}</link>
		<pubDate>{published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>
		<dc:creator>{cdata(rng.choice(self.logins))}</dc:creator>
		<guid isPermaLink="false">{SITE}/?p={post_id}</guid>
		<description></description>
		<content:encoded>{cdata(paragraphs)}</content:encoded>
		<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
		<wp:post_id>{post_id}</wp:post_id>
		<wp:post_date>{cdata(wp_date(published))}</wp:post_date>
		<wp:post_date_gmt>{cdata(wp_date(published))}</wp:post_date_gmt>
		<wp:post_modified>{cdata(wp_date(published))}</wp:post_modified>
		<wp:post_modified_gmt>{cdata(wp_date(published))}</wp:post_modified_gmt>
		<wp:comment_status>{cdata("open" if rng.random() < 0.9 else "closed")}</wp:comment_status>
		<wp:ping_status>{cdata("open")}</wp:ping_status>
		<wp:post_name>{cdata(slug)}</wp:post_name>
		<wp:status>{cdata(status)}</wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type>{cdata("post")}</wp:post_type>
		<wp:post_password>{cdata("")}</wp:post_password>
		<wp:is_sticky>{1 if post_id % 500 == 1 else 0}</wp:is_sticky>
{chr(10).join(terms)}
		<wp:postmeta>
			<wp:meta_key>{cdata("_edit_last")}</wp:meta_key>
			<wp:meta_value>{cdata("1")}</wp:meta_value>
		</wp:postmeta>
{"".join(thread)}
	</item>
"""

    def comment(self, comment_id: int, first: int, published: datetime, n: int) -> str:
        rng = self.rng
        first_name = rng.choice(self.w.first_names)
        last_name = rng.choice(self.w.last_names)
        # Every third comment answers an earlier one of the same post, some several deep.
        parent = rng.randint(first, comment_id - 1) if n and rng.random() < 0.35 else 0
        approved = "1" if rng.random() < 0.93 else rng.choice(("0", "spam", "trash"))
        kind = "pingback" if rng.random() < 0.02 else "comment"
        text = rng.choice(self.w.replies if parent else self.w.comments)
        if rng.random() < 0.25:
            text += " " + self.sentence("it")
        moment = published + timedelta(minutes=10 + n * rng.randint(5, 90))
        return f"""		<wp:comment>
			<wp:comment_id>{comment_id}</wp:comment_id>
			<wp:comment_author>{cdata(f"{first_name} {last_name}")}</wp:comment_author>
			<wp:comment_author_email>{cdata(f"{first_name}.{last_name}@example.net".lower())}</wp:comment_author_email>
			<wp:comment_date>{cdata(wp_date(moment))}</wp:comment_date>
			<wp:comment_date_gmt>{cdata(wp_date(moment))}</wp:comment_date_gmt>
			<wp:comment_content>{cdata(text)}</wp:comment_content>
			<wp:comment_approved>{cdata(approved)}</wp:comment_approved>
			<wp:comment_type>{cdata(kind)}</wp:comment_type>
			<wp:comment_parent>{parent}</wp:comment_parent>
		</wp:comment>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--posts", type=int, default=2018)
    parser.add_argument("--comments-per-post", type=float, default=15.0, help="on average")
    parser.add_argument("--body-paragraphs", type=int, default=4, help="at most, per post")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    room = Newsroom(rng, args.body_paragraphs)
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC) - timedelta(hours=6 * args.posts)
    comment_id, comments = 1, 0
    with args.path.open("w", encoding="utf-8") as out:
        out.write(room.header())
        for post_id in range(1, args.posts + 1):
            count = max(0, round(rng.gauss(args.comments_per_post, args.comments_per_post / 2)))
            out.write(room.post(post_id, start + timedelta(hours=6 * post_id), count, comment_id))
            comment_id += count
            comments += count
        out.write("</channel>\n</rss>\n")
    size = args.path.stat().st_size
    print(f"{args.path}: {args.posts:,} posts, {comments:,} comments, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
