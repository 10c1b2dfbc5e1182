"""`{% piece name value... %}...{% endpiece %}`: a part of a template rendered once for
each set of values and kept (core/fragments.py).

Like Django's `{% cache %}`, without its timeout argument (pieces live
FRAGMENT_CACHE_SECONDS, their key changes with what they show) and with the values
themselves as the key in the per-process cache instead of a hash of their text: a page
holds a dozen pieces, and hashing each one's values was a twentieth of a rendered article.
"""

from django import template

from core.fragments import fragment

register = template.Library()


class PieceNode(template.Node):
    def __init__(self, nodelist, name: str, parts: list):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context) -> str:
        parts = [part.resolve(context) for part in self.parts]
        return fragment(self.name, parts, lambda: self.nodelist.render(context))


@register.tag("piece")
def do_piece(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'piece' takes a name and the values it shows")
    nodelist = parser.parse(("endpiece",))
    parser.delete_first_token()
    return PieceNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
