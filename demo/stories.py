"""Headlines, standfirsts and bodies for demo articles, from the word lists."""

# ruff: noqa: S311 - demo text, nothing secret is drawn at random

import random

from demo.wordlists import words


def headline(rng: random.Random, section: str) -> tuple[str, str]:
    """A headline for a story in `section`, and the topic it is about."""
    w = words()
    topic = rng.choice(w.sections[section])
    title = f"{rng.choice(w.subjects)} {rng.choice(w.verbs)} {topic} {rng.choice(w.hooks)}"
    return title[0].upper() + title[1:], topic


def sentence(rng: random.Random, topic: str, subject: str | None = None) -> str:
    w = words()
    return rng.choice(w.sentences).format(subject=subject or rng.choice(w.subjects), topic=topic)


def body(rng: random.Random, topic: str) -> str:
    """A few paragraphs of HTML, sometimes with a subheading, a quote or a list."""

    def paragraph():
        return " ".join(sentence(rng, topic) for _ in range(rng.randint(2, 4)))

    parts = [f"<p>{paragraph()}</p>" for _ in range(rng.randint(3, 5))]
    if rng.random() < 0.5:
        parts.append("<h2>What happens next</h2>")
    if rng.random() < 0.4:
        quote = "“This is a moment that will be remembered for a long time.”"
        parts.append(f"<blockquote><p>{quote}</p></blockquote>")
    if rng.random() < 0.3:
        items = "".join(f"<li>{sentence(rng, topic, 'Officials')}</li>" for _ in range(3))
        parts.append(f"<ul>{items}</ul>")
    parts += [f"<p>{paragraph()}</p>" for _ in range(rng.randint(2, 5))]
    return "".join(parts)
