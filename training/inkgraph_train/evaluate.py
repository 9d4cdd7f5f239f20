"""Release gates on the held-out prompts, measured without the generator: border colour, foreground centroid and
area, connected components, and the separately trained object classifier on a crop of the foreground."""
import random

import numpy as np
import torch

from . import scenes
from .vision import crop_to, foreground_box, measure
from .vocabulary import COLOURS, HELD_OUT_PAIRS, OBJECTS, POSITIONS, SIZES


def sigmas_for(steps, alphas_cumprod):
    sigmas = ((1 - alphas_cumprod) / alphas_cumprod).sqrt()
    timesteps = torch.linspace(999, 0, steps).round().long()
    return timesteps, torch.cat([sigmas[timesteps], torch.zeros(1)])


@torch.no_grad()
def generate(unet, text, vae, scale, ids, empty_ids, seed, alphas_cumprod, steps=20, cfg=5.0):
    """Euler sampling with CFG, as the engine runs it (ε-prediction, c_in = 1/√(σ²+1))."""
    generator = torch.Generator().manual_seed(seed)
    batch = ids.shape[0]
    timesteps, sigmas = sigmas_for(steps, alphas_cumprod)
    x = torch.randn(batch, 4, 16, 16, generator=generator) * (sigmas[0] ** 2 + 1).sqrt()
    context = torch.cat([text(empty_ids.expand(batch, -1)), text(ids)])
    for i, t in enumerate(timesteps):
        sigma = sigmas[i]
        model_in = torch.cat([x, x]) / (sigma ** 2 + 1).sqrt()
        eps = unet(model_in, t.float().expand(2 * batch), context)
        uncond, cond = eps.chunk(2)
        eps = uncond + cfg * (cond - uncond)
        denoised = x - sigma * eps
        x = x + (x - denoised) / sigma * (sigmas[i + 1] - sigma)
    return ((vae.decoder(x / scale).clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy()


def two_object_scenes(count=50, seed=77):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        a, b = rng.sample(range(len(OBJECTS)), 2)
        relation = rng.choice(("beside", "above"))
        first, second = ((17, 32), (47, 32)) if relation == "beside" else ((32, 17), (32, 47))
        out.append(scenes.Scene(rng.randrange(len(COLOURS)), [scenes.Placement(a, -1, -1, first, 26), scenes.Placement(b, -1, -1, second, 26)], relation, "twitter"))
    return out


def judge(images, held_out, pairs, classifier):
    """Per check, the share of images that pass it."""
    hits = {"background": 0, "size": 0, "position": 0, "identity": 0, "count": 0}
    seen_pair, unseen_pair = [0, 0], [0, 0]
    for image, scene in zip(images[: len(held_out)], held_out):
        p = scene.placements[0]
        m = measure(image)
        background_ok = m["background"] == scene.colour
        hits["background"] += background_ok
        hits["size"] += m["large"] == (p.size == 1)
        hits["position"] += m["cell"] == p.position
        hits["count"] += m["components"] == 1
        box = foreground_box(m["mask"].astype(np.float32))
        if box is not None:
            with torch.no_grad():
                predicted = classifier(crop_to(image.astype(np.float32), box)[None] * 2 - 1).argmax(1).item()
            hits["identity"] += predicted == p.object_id
        bucket = unseen_pair if (p.object_id, scene.colour) in HELD_OUT_PAIRS else seen_pair
        bucket[0] += background_ok
        bucket[1] += 1
    count_hits = sum(measure(image)["components"] == 2 for image in images[len(held_out):])
    n = len(held_out)
    result = {key: value / n for key, value in hits.items()}
    result["count"] = (hits["count"] + count_hits) / (n + len(pairs)) if pairs else result["count"]
    result["background_unseen_pairs"] = unseen_pair[0] / max(1, unseen_pair[1])
    result["background_seen_pairs"] = seen_pair[0] / max(1, seen_pair[1])
    return result


def judge_relations(images, pairs, classifier):
    """Per two-object scene: the object asked first found on the left half ("beside") or the top half ("above") and
    the other in the other half, each recognised by the classifier on a crop of that half's foreground (a sprite
    drawn in parts, a sunflower's petals, is still one object)."""
    hits = 0
    for image, scene in zip(images, pairs):
        mask = measure(image)["mask"]
        found = []
        for half in (slice(0, scenes.SIZE // 2), slice(scenes.SIZE // 2, scenes.SIZE)):
            part = np.zeros_like(mask)
            if scene.relation == "beside":
                part[:, half] = mask[:, half]
            else:
                part[half, :] = mask[half, :]
            box = foreground_box(part.astype(np.float32)) if part.sum() >= 20 else None
            if box is None:
                break
            with torch.no_grad():
                found.append(classifier(crop_to(image.astype(np.float32), box)[None] * 2 - 1).argmax(1).item())
        hits += found == [p.object_id for p in scene.placements]
    return hits / max(1, len(pairs))


def real_renders(held_out, pairs):
    rng = random.Random(5)
    return np.stack([scenes.render(scene, rng).image for scene in held_out + pairs])


GATES = {"background": 0.9, "size": 0.9, "count": 0.9, "position": 0.7, "identity": 0.6}


def prompts(held_out, pairs, language):
    return [scenes.full_caption(s, language) for s in held_out + pairs]
