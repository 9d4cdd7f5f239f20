"""The scene vocabulary: objects (from the emoji packages, Chinese names from CLDR), colours, sizes, positions."""
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
LORAS = DATA.parent.parent / "models" / "loras"

_OBJECT_FILE = json.loads((DATA / "objects.json").read_text(encoding="utf-8"))
OBJECTS = _OBJECT_FILE["objects"]
# Objects the base model never saw, each taught by its LoRA (adapters.py --stage lora-object); ids follow the 48.
LORA_OBJECTS = _OBJECT_FILE["lora_objects"]


def object_named(object_id):
    """An object by id, the base model's or a LoRA's."""
    return OBJECTS[object_id] if object_id < len(OBJECTS) else LORA_OBJECTS[object_id - len(OBJECTS)]

# name (en), name (zh), RGB
COLOURS = [
    ("white", "白色", (245, 245, 245)),
    ("black", "黑色", (20, 20, 20)),
    ("red", "红色", (220, 40, 40)),
    ("orange", "橙色", (245, 140, 30)),
    ("yellow", "黄色", (245, 220, 50)),
    ("green", "绿色", (50, 170, 70)),
    ("blue", "蓝色", (40, 90, 220)),
    ("purple", "紫色", (140, 60, 190)),
]

SIZES = [("small", "小"), ("large", "大")]

# 3×3 grid, row-major: (en phrase, zh phrase)
POSITIONS = [
    ("at the top left", "左上"),
    ("at the top", "上方"),
    ("at the top right", "右上"),
    ("on the left", "左边"),
    ("in the center", "中间"),
    ("on the right", "右边"),
    ("at the bottom left", "左下"),
    ("at the bottom", "下方"),
    ("at the bottom right", "右下"),
]

# Object × background pairs never rendered in training (one per object), to test composition.
HELD_OUT_PAIRS = {(o["id"], (o["id"] * 3) % len(COLOURS)) for o in OBJECTS}


# Styles a LoRA teaches (adapters.py --stage lora): trigger words, appended to the prompt after a comma.
LORA_STYLES = [{"en": "ink drawing", "zh": "水墨画", "lora": "inkgraph-emoji-ink.safetensors"}]


# The words a caption is made of besides the names above (the templates of scenes.caption): with the names, all
# the text encoder was trained on. The editor names a prompt's other words as unknown to the model. A Chinese
# caption has no spaces: its words here are the pieces left when the names are taken out of the captions.
CAPTION_WORDS = {
    "en": ["a", "on", "the", "and", "above", "with", "background", "at", "in", "left", "right", "top", "bottom", "center"],
    "zh": ["背景", "背景上", "的", "有一个", "一个", "是", "在", "上面"],
}


def caption_words(taught=False):
    """Every word a caption can hold, per language (a style's trigger words are published with their LoRA); `taught`:
    also the words of the training wordings, once a text encoder taught them ships (distill_wordings.py --export)."""
    names = [(o["en"], o["zh"]) for o in OBJECTS] + [(en, zh) for en, zh, _ in COLOURS] + SIZES + POSITIONS
    english = set(CAPTION_WORDS["en"]) | {word for en, _ in names for word in en.split()}
    chinese = set(CAPTION_WORDS["zh"]) | {zh for _, zh in names}
    if taught:
        from .wordings import chinese_words, english_words

        english |= set(english_words())
        chinese |= set(chinese_words())
    return {"en": sorted(english), "zh": sorted(chinese)}


def published(taught=False):
    """The vocabulary as the model folder publishes it (the editor can offer it)."""
    return {
        "objects": [{"id": o["id"], "en": o["en"], "zh": o["zh"], "emoji": o["emoji"]} for o in OBJECTS],
        "colours": [{"en": en, "zh": zh, "rgb": list(rgb)} for en, zh, rgb in COLOURS],
        "sizes": [{"en": en, "zh": zh} for en, zh in SIZES],
        "positions": [{"en": en, "zh": zh} for en, zh in POSITIONS],
        "styles": LORA_STYLES,
        # Only those whose LoRA ships: its words do nothing without it.
        "lora_objects": [{"en": o["en"], "zh": o["zh"], "emoji": o["emoji"], "lora": o["lora"]} for o in LORA_OBJECTS if (LORAS / o["lora"]).exists()],
        "words": caption_words(taught),
        "held_out_pairs": [{"object": OBJECTS[o]["en"], "background": COLOURS[c][0]} for o, c in sorted(HELD_OUT_PAIRS)],
    }
