"""`{% piece name value... %}...{% endpiece %}`: a part of a template rendered once for
each set of values and kept (core/fragments.py).

Like Django's `{% cache %}`, without its timeout argument (pieces live
FRAGMENT_CACHE_SECONDS, their key changes with what they show) and with the values
themselves as the key in the per-process cache instead of a hash of their text: a page
holds a dozen pieces, and hashing each one's values was a twentieth of a rendered article.
"""

from django import template
from django.utils import translation

from core.fragments import fragment

register = template.Library()

_LANGUAGE = "pieces.language"


def template_language(context) -> str:
    """The active language, read once per template being rendered (a page and the
    templates it extends share one; each include has its own): asking for it cost each
    of a page's dozen pieces a walk through asgiref's context-local lookups."""
    state = context.render_context
    language = state.get(_LANGUAGE)
    if language is None:
        language = state[_LANGUAGE] = translation.get_language()
    return language


class PieceNode(template.Node):
    def __init__(self, nodelist, name: str, parts: list, *, in_language_block: bool):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts
        # Inside {% language %} the language is not the template's: ask each time.
        self.in_language_block = in_language_block

    def render(self, context) -> str:
        parts = [part.resolve(context) for part in self.parts]
        language = None if self.in_language_block else template_language(context)
        return fragment(self.name, parts, lambda: self.nodelist.render(context), language=language)


@register.tag("piece")
def do_piece(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'piece' takes a name and the values it shows")
    in_language_block = any(command == "language" for command, *_ in parser.command_stack)
    nodelist = parser.parse(("endpiece",))
    parser.delete_first_token()
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    return PieceNode(nodelist, bits[1], parts, in_language_block=in_language_block)
