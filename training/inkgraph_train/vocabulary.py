"""The scene vocabulary: objects (from the emoji packages, Chinese names from CLDR), colours, sizes, positions."""
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

OBJECTS = json.loads((DATA / "objects.json").read_text(encoding="utf-8"))["objects"]

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


def published():
    """The vocabulary as the model folder publishes it (the editor can offer it)."""
    return {
        "objects": [{"id": o["id"], "en": o["en"], "zh": o["zh"], "emoji": o["emoji"]} for o in OBJECTS],
        "colours": [{"en": en, "zh": zh, "rgb": list(rgb)} for en, zh, rgb in COLOURS],
        "sizes": [{"en": en, "zh": zh} for en, zh in SIZES],
        "positions": [{"en": en, "zh": zh} for en, zh in POSITIONS],
        "styles": LORA_STYLES,
        "held_out_pairs": [{"object": OBJECTS[o]["en"], "background": COLOURS[c][0]} for o, c in sorted(HELD_OUT_PAIRS)],
    }
