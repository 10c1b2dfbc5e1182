"""Generated pictures for demo articles: a small pool, drawn once and shared by all."""

# ruff: noqa: S311 - demo pictures, nothing secret is drawn at random

import io
import json
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFilter

from articles.images import make_renditions

# Sky and land colours, one pair a picture.
PALETTES = [
    ((18, 52, 86), (233, 93, 73)), ((20, 83, 45), (245, 203, 92)),
    ((82, 24, 92), (94, 196, 223)), ((140, 30, 30), (250, 225, 180)),
    ((25, 25, 35), (120, 200, 160)), ((60, 90, 140), (250, 250, 240)),
    ((200, 120, 40), (40, 40, 70)), ((10, 110, 120), (240, 180, 200)),
    ((90, 70, 50), (170, 210, 240)), ((45, 45, 45), (230, 80, 120)),
    ((0, 70, 140), (255, 210, 0)), ((120, 140, 60), (30, 30, 60)),
]  # fmt: skip
IMAGE_SIZE = (1600, 900)
IMAGE_DIR = "demo"


def image_pool(size: int) -> list[dict]:
    """Up to `size` pictures with their renditions, made once and then read from storage.

    Each entry is the renditions index that Article.image_renditions holds.
    """
    pool = []
    for number in range(min(size, len(PALETTES))):
        index_name = f"{IMAGE_DIR}/pool-{number}.json"
        if default_storage.exists(index_name):
            with default_storage.open(index_name, "rb") as file:
                pool.append(json.load(file))
            continue
        name = default_storage.save(
            f"{IMAGE_DIR}/pool-{number}.jpg", ContentFile(draw_image(number))
        )
        index = make_renditions(name)
        default_storage.save(index_name, ContentFile(json.dumps(index).encode()))
        pool.append(index)
    return pool


def draw_image(number: int) -> bytes:
    """An abstract "photo": a gradient sky, hills and a sun, in one of the palettes."""
    rng = random.Random(number)
    (top, bottom) = PALETTES[number % len(PALETTES)]
    width, height = IMAGE_SIZE
    gradient = Image.linear_gradient("L").resize(IMAGE_SIZE)
    image = Image.composite(
        Image.new("RGB", IMAGE_SIZE, bottom), Image.new("RGB", IMAGE_SIZE, top), gradient
    )
    draw = ImageDraw.Draw(image)
    sun = (rng.randint(200, width - 200), rng.randint(120, height // 2))
    radius = rng.randint(60, 140)
    draw.ellipse(
        (sun[0] - radius, sun[1] - radius, sun[0] + radius, sun[1] + radius),
        fill=tuple(min(255, c + 60) for c in bottom),
    )
    for layer in range(3):
        base = int(height * (0.55 + layer * 0.13))
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base + rng.randint(-60, 60)))
        points.append((width, height))
        shade = tuple(max(0, int(c * (0.7 - layer * 0.2))) for c in top)
        draw.polygon(points, fill=shade)
    image = image.filter(ImageFilter.GaussianBlur(1.5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
