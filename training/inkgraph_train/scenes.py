"""Scenes composed on the fly: a coloured background with one or two emoji sprites, its exact foreground mask,
and captions in English and Chinese with attributes left out at random."""
import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .vocabulary import COLOURS, DATA, HELD_OUT_PAIRS, LORA_OBJECTS, OBJECTS, POSITIONS, SIZES, object_named

SIZE = 64
STYLES = ("twitter", "google")


def _load_sprites(folder="sprites", objects=OBJECTS):
    """Each sprite cropped to its alpha bounding box, as float RGBA."""
    sprites = {}
    for style in STYLES:
        for obj in objects:
            image = Image.open(DATA / folder / style / f"{obj['id']:02d}.png").convert("RGBA")
            box = image.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
            sprites[(style, obj["id"])] = image.crop(box)
    return sprites


SPRITES = _load_sprites(objects=OBJECTS + LORA_OBJECTS)
_hires = {}
_resized = {}


def sprite(style, object_id, size, hires=False):
    """The sprite at `size` px on its long side; `hires` draws it from the 256 px renders (extract-sprites-hires.mjs)
    for scenes rendered above 64²."""
    key = (style, object_id, size, hires)
    if key not in _resized:
        if hires and not _hires:
            _hires.update(_load_sprites("sprites-256"))
        image = (_hires if hires else SPRITES)[(style, object_id)]
        scale = size / max(image.size)
        w, h = max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale))
        _resized[key] = np.asarray(image.resize((w, h), Image.LANCZOS), dtype=np.float32) / 255.0
    return _resized[key]


@dataclass
class Placement:
    object_id: int
    size: int  # 0 small, 1 large; -1 for the paired layout
    position: int  # 0..8 grid cell; -1 for the paired layout
    centre: tuple
    pixels: int


@dataclass
class Scene:
    colour: int
    placements: list
    relation: str = ""  # "" | "beside" | "above"
    style: str = "twitter"
    ink: bool = False  # drawn in ink (the LoRA's style): the sprite's shading in black ink, its colours gone
    image: np.ndarray = field(default=None, repr=False)  # H×W×3 in 0..1
    mask: np.ndarray = field(default=None, repr=False)  # H×W in 0..1 (object alpha)
    labels: np.ndarray = field(default=None, repr=False)  # H×W object id + 1 (0 background)


def _paste(canvas, mask, labels, pixels, cx, cy, object_id):
    h, w = pixels.shape[:2]
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(canvas.shape[1], x0 + w), min(canvas.shape[0], y0 + h)
    if xa >= xb or ya >= yb:
        return
    patch = pixels[ya - y0 : yb - y0, xa - x0 : xb - x0]
    alpha = patch[..., 3:4]
    canvas[ya:yb, xa:xb] = canvas[ya:yb, xa:xb] * (1 - alpha) + patch[..., :3] * alpha
    mask[ya:yb, xa:xb] = np.maximum(mask[ya:yb, xa:xb], alpha[..., 0])
    labels[ya:yb, xa:xb][alpha[..., 0] > 0.5] = object_id + 1


def grid_centre(position, size_px):
    margin = size_px / 2 + 1
    coords = (margin, SIZE / 2, SIZE - margin)
    return coords[position % 3], coords[position // 3]


def ink(pixels):
    """A sprite as an ink-wash drawing: its luminance, contrast raised, as shades of black ink; the alpha kept."""
    luminance = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    shade = np.clip((luminance - 0.2) * 1.25, 0, 1) * 0.8 + 0.05
    return np.concatenate([np.repeat(shade[..., None], 3, axis=2), pixels[..., 3:4]], axis=2)


def render(scene, rng, size=SIZE):
    """The scene at size² (64² for the model; larger ones scale every placement and use the 256 px sprites)."""
    scale = size / SIZE
    canvas = np.empty((size, size, 3), np.float32)
    canvas[:] = np.array(COLOURS[scene.colour][2], np.float32) / 255.0
    mask = np.zeros((size, size), np.float32)
    labels = np.zeros((size, size), np.int64)
    for p in scene.placements:
        pixels = sprite(scene.style, p.object_id, round(p.pixels * scale), hires=size > SIZE)
        pixels = ink(pixels) if scene.ink else pixels
        _paste(canvas, mask, labels, pixels, p.centre[0] * scale, p.centre[1] * scale, p.object_id)
    if size != SIZE:
        return canvas, mask
    scene.image, scene.mask, scene.labels = canvas, mask, labels
    return scene


def random_scene(rng, allow_held_out=False):
    """75% one object (small/large on a 3×3 grid, ±3 px jitter), 25% two distinct objects side by side or stacked."""
    while True:
        colour = rng.randrange(len(COLOURS))
        style = rng.choice(STYLES)
        if rng.random() < 0.75:
            obj = rng.randrange(len(OBJECTS))
            if not allow_held_out and (obj, colour) in HELD_OUT_PAIRS:
                continue
            size = rng.randrange(2)
            pixels = rng.randint(18, 22) if size == 0 else rng.randint(38, 42)
            position = rng.randrange(9)
            cx, cy = grid_centre(position, pixels)
            centre = (cx + rng.uniform(-3, 3), cy + rng.uniform(-3, 3))
            return Scene(colour, [Placement(obj, size, position, centre, pixels)], "", style)
        a, b = rng.sample(range(len(OBJECTS)), 2)
        if not allow_held_out and ((a, colour) in HELD_OUT_PAIRS or (b, colour) in HELD_OUT_PAIRS):
            continue
        relation = rng.choice(("beside", "above"))
        pixels = rng.randint(24, 28)
        first, second = ((17, 32), (47, 32)) if relation == "beside" else ((32, 17), (32, 47))
        return Scene(colour, [Placement(a, -1, -1, first, pixels), Placement(b, -1, -1, second, pixels)], relation, style)


def kept_attributes(rng, drop=0.25):
    """Which of colour, size and position a caption states: each left out with probability `drop`."""
    return {name: rng.random() >= drop for name in ("colour", "size", "position")}


TEMPLATE_COUNT = {"en": 3, "zh": 2}


def caption(scene, language, rng, drop=0.25):
    """A caption for the scene; each attribute (colour, size, position) is left out with probability `drop`."""
    kept = kept_attributes(rng, drop)
    return template_caption(scene, language, kept, rng.randrange(TEMPLATE_COUNT[language]))


def template_caption(scene, language, kept, template):
    """The scene in one of the caption templates the base model was trained on, stating the `kept` attributes (a
    two-object scene states only its colour, or not)."""
    colour_en, colour_zh, _ = COLOURS[scene.colour]
    if scene.relation:
        a, b = (object_named(p.object_id) for p in scene.placements)
        if language == "en":
            body = f"a {a['en']} on the left and a {b['en']} on the right" if scene.relation == "beside" else f"a {a['en']} above a {b['en']}"
            return f"{body}, {colour_en} background" if kept["colour"] else body
        body = f"左边是{a['zh']}，右边是{b['zh']}" if scene.relation == "beside" else f"{a['zh']}在{b['zh']}上面"
        return f"{body}，{colour_zh}背景" if kept["colour"] else body
    p = scene.placements[0]
    obj = object_named(p.object_id)
    size_en, size_zh = SIZES[p.size]
    pos_en, pos_zh = POSITIONS[p.position]
    use_colour, use_size, use_position = kept["colour"], kept["size"], kept["position"]
    if language == "en":
        noun = f"{size_en} {obj['en']}" if use_size else obj["en"]
        if template == 0:
            text = f"a {noun}"
            text += f" {pos_en}" if use_position else ""
            return text + (f" on a {colour_en} background" if use_colour else "")
        if template == 1:
            parts = [noun] + ([pos_en.split(" ", 1)[1].replace("the ", "")] if use_position else []) + ([f"{colour_en} background"] if use_colour else [])
            return ", ".join(parts)
        text = f"{colour_en} background with a {noun}" if use_colour else f"a {noun}"
        return text + (f" {pos_en}" if use_position else "")
    noun = f"{size_zh}{obj['zh']}" if use_size else obj["zh"]
    if template == 0:
        text = (f"{colour_zh}背景上" if use_colour else "") + (f"{pos_zh}的" if use_position else "") + noun
        return text
    text = (f"{pos_zh}有一个{noun}" if use_position else f"一个{noun}") + (f"，{colour_zh}背景" if use_colour else "")
    return text


def training_batch(rng, batch, chinese_share=0.35, empty_share=0.1):
    """Images (B×3×64×64 in −1..1) and captions."""
    images, captions = [], []
    for _ in range(batch):
        scene = render(random_scene(rng), rng)
        images.append(scene.image.transpose(2, 0, 1) * 2 - 1)
        if rng.random() < empty_share:
            captions.append("")
        else:
            captions.append(caption(scene, "zh" if rng.random() < chinese_share else "en", rng))
    return np.stack(images).astype(np.float32), captions


def held_out_scenes(count=200, seed=20261122):
    """The fixed evaluation set: single objects with every attribute given, including the held-out pairs."""
    rng = random.Random(seed)
    scenes = []
    held = sorted(HELD_OUT_PAIRS)
    for i in range(count):
        if i < len(held):
            obj, colour = held[i]
        else:
            obj, colour = rng.randrange(len(OBJECTS)), rng.randrange(len(COLOURS))
        size = rng.randrange(2)
        pixels = 20 if size == 0 else 40
        position = rng.randrange(9)
        scenes.append(Scene(colour, [Placement(obj, size, position, grid_centre(position, pixels), pixels)], "", "twitter"))
    return scenes


def full_caption(scene, language):
    """The held-out prompt: every attribute stated, first template."""
    return caption(scene, language, _AlwaysFirst(), drop=0.0)


class _AlwaysFirst(random.Random):
    def random(self):
        return 0.99

    def randrange(self, *args):
        return 0


def object_caption_pieces(obj, others):
    """The text pieces of the captions that name `obj` (alone, or with one of `others` beside or above it): a run of
    Chinese characters is one pre-token, and BPE may merge across the object's name, so whole phrases are listed."""
    pieces = {obj["en"]}
    colours = [None] + list(range(len(COLOURS)))
    positions = [None] + list(range(len(POSITIONS)))
    sizes = [None] + list(range(len(SIZES)))
    for c in colours:
        for p in positions:
            for s in sizes:
                noun = (SIZES[s][1] if s is not None else "") + obj["zh"]
                pieces.add((f"{COLOURS[c][1]}背景上" if c is not None else "") + (f"{POSITIONS[p][1]}的" if p is not None else "") + noun)
                pieces.add(f"{POSITIONS[p][1]}有一个{noun}" if p is not None else f"一个{noun}")
    pieces.add(f"左边是{obj['zh']}")
    pieces.add(f"右边是{obj['zh']}")
    for other in others:
        pieces.add(f"{obj['zh']}在{other['zh']}上面")
        pieces.add(f"{other['zh']}在{obj['zh']}上面")
    return pieces


def all_caption_pieces():
    """Every text piece a caption can contain, for building the reduced vocabulary exactly (a run of Chinese
    characters is one pre-token, so whole phrases are enumerated)."""
    pieces = set()
    for obj in OBJECTS:
        pieces |= object_caption_pieces(obj, [other for other in OBJECTS if other is not obj])
    for en, zh, _ in COLOURS:
        pieces.update([f"{zh}背景", f"{en} background"])
    for en, _ in SIZES:
        pieces.add(en)
    for en, _ in POSITIONS:
        pieces.add(en)
    pieces.update(["a", "on", "the", "left", "and", "right", "above", "with", "background", ",", "，", "top", "bottom", "center"])
    return sorted(pieces)
