"""Small WordPress exports written inline, for the importer's edge cases.

Each builder writes the elements WordPress 6.x writes for that thing, trimmed to what the
importer reads; `export()` wraps items into a WXR 1.2 file.
"""

from pathlib import Path

SITE = "https://edge.example.org"
ZERO = "0000-00-00 00:00:00"


def comment(
    comment_id: int,
    parent: int = 0,
    *,
    date: str = "2024-03-14 11:00:00",
    gmt: str | None = None,
    approved: str = "1",
    text: str = "",
    author: str = "Pat Quayside",
) -> str:
    return f"""
		<wp:comment>
			<wp:comment_id>{comment_id}</wp:comment_id>
			<wp:comment_author><![CDATA[{author}]]></wp:comment_author>
			<wp:comment_author_email><![CDATA[{author.split()[0].lower()}@example.net]]></wp:comment_author_email>
			<wp:comment_date><![CDATA[{date}]]></wp:comment_date>
			<wp:comment_date_gmt><![CDATA[{date if gmt is None else gmt}]]></wp:comment_date_gmt>
			<wp:comment_content><![CDATA[{text or f"Comment {comment_id}."}]]></wp:comment_content>
			<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
			<wp:comment_type><![CDATA[comment]]></wp:comment_type>
			<wp:comment_parent>{parent}</wp:comment_parent>
		</wp:comment>"""


def post(
    post_id: int,
    *,
    status: str = "publish",
    date: str = "2024-03-14 09:30:00",
    gmt: str | None = None,
    slug: str = "",
    link: str = "",
    comments: tuple[str, ...] = (),
) -> str:
    slug = slug or f"story-{post_id}"
    link = link or f"{SITE}/{date[:4]}/{date[5:7]}/{slug}/"
    return f"""
	<item>
		<title><![CDATA[Story {post_id}]]></title>
		<link>{link}</link>
		<dc:creator><![CDATA[mara]]></dc:creator>
		<guid isPermaLink="false">{SITE}/?p={post_id}</guid>
		<content:encoded><![CDATA[<p>What happened in story {post_id}.</p>]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{post_id}</wp:post_id>
		<wp:post_date><![CDATA[{date}]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[{date if gmt is None else gmt}]]></wp:post_date_gmt>
		<wp:comment_status><![CDATA[open]]></wp:comment_status>
		<wp:post_name><![CDATA[{slug}]]></wp:post_name>
		<wp:status><![CDATA[{status}]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<category domain="category" nicename="news"><![CDATA[News]]></category>{"".join(comments)}
	</item>"""


def page(
    page_id: int,
    *,
    title: str = "",
    slug: str = "",
    status: str = "publish",
    content: str = "",
    link: str = "",
) -> str:
    slug = slug or f"page-{page_id}"
    link = link or f"{SITE}/{slug}/"
    content = content or f"<p>What page {page_id} says.</p>"
    return f"""
	<item>
		<title><![CDATA[{title or f"Page {page_id}"}]]></title>
		<link>{link}</link>
		<dc:creator><![CDATA[mara]]></dc:creator>
		<guid isPermaLink="false">{SITE}/?page_id={page_id}</guid>
		<content:encoded><![CDATA[{content}]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{page_id}</wp:post_id>
		<wp:post_date><![CDATA[2024-01-02 10:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2024-01-02 10:00:00]]></wp:post_date_gmt>
		<wp:comment_status><![CDATA[closed]]></wp:comment_status>
		<wp:post_name><![CDATA[{slug}]]></wp:post_name>
		<wp:status><![CDATA[{status}]]></wp:status>
		<wp:post_type><![CDATA[page]]></wp:post_type>
	</item>"""


def export(directory: Path, *items: str) -> Path:
    path = directory / "export.xml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>Edge cases</title>
	<link>{SITE}</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_blog_url>{SITE}</wp:base_blog_url>
	<wp:author>
		<wp:author_login><![CDATA[mara]]></wp:author_login>
		<wp:author_display_name><![CDATA[Mara Jensen]]></wp:author_display_name>
	</wp:author>
	<wp:category>
		<wp:category_nicename><![CDATA[news]]></wp:category_nicename>
		<wp:cat_name><![CDATA[News]]></wp:cat_name>
	</wp:category>
{"".join(items)}
</channel>
</rss>
""",
        encoding="utf-8",
    )
    return path
