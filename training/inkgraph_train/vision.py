"""The object classifier and foreground segmenter, trained on real renders only (never on generated images), so
the classifier can judge the generator independently. Both ship as ONNX with a JSON sidecar."""
import random

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from . import scenes
from .vocabulary import COLOURS, OBJECTS

CROP = 32


class ObjectClassifier(nn.Module):
    """A 32×32 crop around the foreground → 48 object logits."""

    def __init__(self, classes=len(OBJECTS)):
        super().__init__()
        layers, cin = [], 3
        for cout in (32, 64, 96):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(96 * 4 * 4, classes))

    def forward(self, pixel_values):
        return self.head(self.features(pixel_values))


class Segmenter(nn.Module):
    """64×64 RGB → foreground probability [N,1,H,W] (sigmoid applied): a small three-level U-Net that also sees each
    pixel's distance from the scene's background colour (the median of the border pixels). It starts from that
    colour rule (the baseline below) and learns where the rule fails: object parts in the background's colour,
    anti-aliased edges. Exported for 64×64 inputs (the sidecar resizes to that)."""

    def __init__(self):
        super().__init__()
        block = lambda i, o: nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())  # noqa: E731
        self.e1, self.e2, self.e3 = block(6, 16), block(16, 32), block(32, 64)
        self.d2 = block(96, 32)
        self.d1 = nn.Sequential(nn.Conv2d(48, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 1))

    def forward(self, input):
        border = torch.cat([input[:, :, 0, :], input[:, :, -1, :], input[:, :, :, 0], input[:, :, :, -1]], dim=2)
        background = border.topk(border.shape[2] // 2 + 1, dim=2).values[:, :, -1]
        difference = (input - background[:, :, None, None]).abs()
        a = self.e1(torch.cat([input, difference], 1))
        b = self.e2(F.max_pool2d(a, 2))
        c = self.e3(F.max_pool2d(b, 2))
        up2 = self.d2(torch.cat([b, F.interpolate(c, scale_factor=2.0, mode="nearest")], 1))
        return torch.sigmoid(self.d1(torch.cat([a, F.interpolate(up2, scale_factor=2.0, mode="nearest")], 1)))


def foreground_box(mask, threshold=0.5):
    ys, xs = np.nonzero(mask > threshold)
    if len(xs) == 0:
        return None
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def crop_to(image, box, size=CROP):
    """A square crop around a box, resized to size×size; image is H×W×3 in 0..1."""
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) + 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tensor = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None]
    theta = torch.tensor([[[side / scenes.SIZE, 0, (2 * cx / scenes.SIZE) - 1], [0, side / scenes.SIZE, (2 * cy / scenes.SIZE) - 1]]], dtype=torch.float32)
    grid = F.affine_grid(theta, (1, 3, size, size), align_corners=False)
    return F.grid_sample(tensor, grid, align_corners=False, padding_mode="border")[0]


def classifier_batch(rng, batch):
    crops, labels = [], []
    while len(crops) < batch:
        scene = scenes.render(scenes.random_scene(rng, allow_held_out=True), rng)
        for placement in scene.placements:
            box = foreground_box((scene.labels == placement.object_id + 1).astype(np.float32))
            if box is None:
                continue
            crops.append(crop_to(scene.image, box))
            labels.append(placement.object_id)
    return torch.stack(crops[:batch]), torch.tensor(labels[:batch])


def train_classifier(minutes, seed=3, log=print):
    import time
    rng = random.Random(seed)
    model = ObjectClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    deadline, step = time.time() + minutes * 60, 0
    while time.time() < deadline:
        x, y = classifier_batch(rng, 128)
        x = x + 0.03 * torch.randn_like(x)  # a little noise, as generated images have
        loss = F.cross_entropy(model(x * 2 - 1), y, label_smoothing=0.05)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        if step % 100 == 0:
            log(f"classifier step {step} loss {float(loss):.3f}")
    model.eval()
    x, y = classifier_batch(random.Random(99), 1000)
    with torch.no_grad():
        accuracy = (model(x * 2 - 1).argmax(1) == y).float().mean().item()
    return model, {"steps": step, "held_out_accuracy": accuracy}


def segmenter_batch(rng, batch):
    images, masks = [], []
    for _ in range(batch):
        scene = scenes.render(scenes.random_scene(rng, allow_held_out=True), rng)
        images.append(scene.image.transpose(2, 0, 1))
        masks.append(scene.mask[None])
    return torch.from_numpy(np.stack(images)), torch.from_numpy(np.stack(masks))


def train_segmenter(minutes, seed=4, log=print):
    import time
    rng = random.Random(seed)
    model = Segmenter()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
    deadline, step = time.time() + minutes * 60, 0
    while time.time() < deadline:
        x, m = segmenter_batch(rng, 64)
        loss = F.binary_cross_entropy(model(x).clamp(1e-6, 1 - 1e-6), m)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        if step % 100 == 0:
            log(f"segmenter step {step} loss {float(loss):.4f}")
    model.eval()
    x, m = segmenter_batch(random.Random(98), 256)
    with torch.no_grad():
        predicted = model(x) > 0.5
    truth = m > 0.5
    iou = ((predicted & truth).sum() / (predicted | truth).sum()).item()
    # Baseline: everything that differs from the border colour.
    border = torch.cat([x[:, :, 0], x[:, :, -1], x[:, :, :, 0], x[:, :, :, -1]], dim=2).median(dim=2).values
    baseline = (x - border[:, :, None, None]).abs().sum(1, keepdim=True) > 0.15
    baseline_iou = ((baseline & truth).sum() / (baseline | truth).sum()).item()
    return model, {"steps": step, "iou": iou, "baseline_iou": baseline_iou}


# ---- model-free checks on a generated image (H×W×3 in 0..1) --------------------------------------------------------

def nearest_colour(rgb):
    distances = [sum((rgb[i] - c[2][i] / 255.0) ** 2 for i in range(3)) for c in COLOURS]
    return int(np.argmin(distances))


def measure(image):
    """Border colour, foreground mask, its centroid cell, area and components. The foreground is every pixel that
    differs from the border colour, except isolated specks: regions of 1–2 pixels more than 4 pixels from any
    larger region (a decoder's corner pixel, say), which would otherwise stretch the object's extent. Objects
    (the count) are the regions of at least 20 pixels."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background = np.median(border, axis=0)
    differs = np.abs(image - background).sum(axis=2) > 0.25
    regions = connected_regions(differs)
    solid = np.zeros_like(differs)
    for rows, cols in regions:
        if len(rows) > 2:
            solid[rows, cols] = True
    mask = solid | (differs & dilate(solid, 4))
    ys, xs = np.nonzero(mask)
    result = {"background": nearest_colour(background), "area": float(mask.mean()), "mask": mask,
              "components": sum(len(rows) >= 20 for rows, _ in regions)}
    if len(xs) < 6:
        return {**result, "cell": None, "large": False}
    # Size from the foreground's extent; position as the nearest grid centre for that size (large objects sit
    # close to the middle, so fixed thirds would misplace them).
    side = max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    result["large"] = bool(side >= 30)
    cx, cy = (xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2
    pixels = 40 if result["large"] else 20
    result["cell"] = min(range(9), key=lambda cell: sum((a - b) ** 2 for a, b in zip(scenes.grid_centre(cell, pixels), (cx, cy))))
    return result


def dilate(mask, radius):
    """Boolean dilation by a (2·radius+1)² square."""
    padded = np.pad(mask, radius)
    h, w = mask.shape
    out = np.zeros_like(mask)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out |= padded[dy : dy + h, dx : dx + w]
    return out


def connected_regions(mask):
    """The connected regions (4-connectivity) of a boolean mask, each as (rows, cols) index lists."""
    seen = np.zeros_like(mask, dtype=bool)
    regions = []
    h, w = mask.shape
    for y in range(h):
        for x in range(w):
            if mask[y, x] and not seen[y, x]:
                stack, rows, cols = [(y, x)], [], []
                seen[y, x] = True
                while stack:
                    cy, cx = stack.pop()
                    rows.append(cy)
                    cols.append(cx)
                    for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                        if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                            seen[ny, nx] = True
                            stack.append((ny, nx))
                regions.append((rows, cols))
    return regions


def template_identity(image, mask, object_ids):
    """Which of `object_ids` an image shows, without a learned model: each object's sprite (both designs), scaled so
    its long side spans the foreground's, is drawn over the border colour at the foreground's centre, and the one
    closest to the image (mean absolute difference over the foreground's box, widened by 2 px) wins. For objects the
    shipped classifier never learned (a LoRA's), and as a second opinion on the others. None without a foreground."""
    box = foreground_box(mask.astype(np.float32))
    if box is None:
        return None
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0)
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background = np.median(border, axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ya, yb, xa, xb = max(0, y0 - 2), min(scenes.SIZE, y1 + 2), max(0, x0 - 2), min(scenes.SIZE, x1 + 2)
    best, best_score = None, float("inf")
    for object_id in object_ids:
        for style in scenes.STYLES:
            pixels = scenes.sprite(style, object_id, side)
            canvas = np.empty_like(image)
            canvas[:] = background
            scenes._paste(canvas, np.zeros(image.shape[:2], np.float32), np.zeros(image.shape[:2], np.int64), pixels, cx, cy, object_id)
            score = float(np.abs(canvas[ya:yb, xa:xb] - image[ya:yb, xa:xb]).mean())
            if score < best_score:
                best, best_score = object_id, score
    return best
