"""Adapters for the embedded model, trained with its frozen weights: a ControlNet (a mask says where the object goes),
a 4× upscaler for its 64² images, and two LoRAs: one teaches it a drawing style, one an object it never saw (an
owl). Each stage trains (resuming from its checkpoint in training/checkpoints/), measures the figure its card gives,
and exports to models/.

    /usr/bin/python3 training/adapters.py --stage controlnet --minutes 25
    /usr/bin/python3 training/adapters.py --stage controlnet --minutes 0     # evaluate and export only
    /usr/bin/python3 training/adapters.py --stage upscaler --minutes 15
    /usr/bin/python3 training/adapters.py --stage lora --minutes 20
    /usr/bin/python3 training/adapters.py --stage lora-object --minutes 40    # the owl, an object it never saw
    /usr/bin/python3 training/adapters.py --stage cards    # the cards, once the server test has measured its figures
"""
import argparse
import json
import random
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train  # noqa: E402
from inkgraph_train import cards, scenes  # noqa: E402
from inkgraph_train.controlnet import ControlNet, ControlNetExport, mask_hint, residual_inputs_onnx  # noqa: E402
from inkgraph_train.evaluate import judge, sigmas_for  # noqa: E402
from inkgraph_train.models import TextEncoder, UNet  # noqa: E402
from inkgraph_train.upscaler import SCALE, Upscaler  # noqa: E402
from inkgraph_train.lora import inject, load_state, save_safetensors, set_strength, state_of  # noqa: E402
from inkgraph_train.tokenizer import ClipTokenizer  # noqa: E402
from inkgraph_train.vision import crop_to, foreground_box, measure, template_identity  # noqa: E402
from inkgraph_train.vocabulary import COLOURS, LORA_OBJECTS, LORA_STYLES, OBJECTS, published  # noqa: E402

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
CHECKPOINTS = ROOT / "checkpoints"
REPORTS = ROOT / "reports"
log = train.log


def load_frozen(tokenizer):
    """The shipped model's weights (the fp16 EMA the ONNX files were exported from), frozen."""
    vae, vae_state = train.load_vae()
    state = train.load_checkpoint(CHECKPOINTS / "diffusion.pt")
    unet, text = UNet(), TextEncoder(len(tokenizer.vocab))
    unet.load_state_dict({k: v.float() for k, v in state["unet"].items()})
    text.load_state_dict({k: v.float() for k, v in state["text"].items()})
    for module in (unet, text, vae):
        module.eval().requires_grad_(False)
    return unet, text, vae, vae_state["scale_factor"]


class Stopper:
    """A session can end at any moment: stop at the deadline, or on SIGTERM/SIGINT, and save."""

    def __init__(self, minutes):
        self.deadline = time.time() + minutes * 60
        self.requested = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._request)

    def _request(self, *_):
        self.requested = True

    def running(self):
        return not self.requested and time.time() < self.deadline


def save(path, state):
    temporary = path.with_suffix(".pt.tmp")
    torch.save(state, temporary)
    temporary.replace(path)


def noisy_latents(latents, alphas_cumprod):
    t = torch.randint(0, 1000, (latents.shape[0],))
    alpha = alphas_cumprod[t][:, None, None, None]
    noise = torch.randn_like(latents)
    snr = (alpha / (1 - alpha)).reshape(-1)
    return alpha.sqrt() * latents + (1 - alpha).sqrt() * noise, t, noise, torch.clamp(snr, max=5.0) / snr


# ---- ControlNet ----------------------------------------------------------------------------------------------

CONTROLNET_CHECKPOINT = CHECKPOINTS / "controlnet.pt"
CONTROLNET_OUT = REPO / "models" / "controlnet" / "inkgraph-emoji-mask.onnx"
CONTROLNET_FIXTURES = REPO / "tests" / "fixtures" / "controlnet-emoji"


def control_batch(rng, batch):
    """Scenes with their object masks; captions drop each attribute half the time and are empty a fifth of the time,
    so the hint, not the text, has to carry where the object goes."""
    images, masks, captions = [], [], []
    for _ in range(batch):
        scene = scenes.render(scenes.random_scene(rng), rng)
        images.append(scene.image.transpose(2, 0, 1) * 2 - 1)
        masks.append(scene.mask)
        language = "zh" if rng.random() < 0.35 else "en"
        captions.append("" if rng.random() < 0.2 else scenes.caption(scene, language, rng, drop=0.5))
    return torch.from_numpy(np.stack(images).astype(np.float32)), torch.from_numpy(np.stack(masks).astype(np.float32)), captions


def train_controlnet(args, tokenizer):
    unet, text, vae, scale = load_frozen(tokenizer)
    net = ControlNet(unet)
    state = {"step": 0, "seconds": 0.0, "curve": []}
    if CONTROLNET_CHECKPOINT.exists():
        state = train.load_checkpoint(CONTROLNET_CHECKPOINT)
        net.load_state_dict({k: v.float() for k, v in state["weights"].items()})
        log(f"controlnet: resumed at step {state['step']}")
    net.train()
    optimizer = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed or int(time.time()))
    stopper, started, last_save, running = Stopper(args.minutes), time.time(), time.time(), []
    while stopper.running():
        images, masks, captions = control_batch(rng, args.batch)
        with torch.no_grad():
            latents = vae.encode(images)[0] * scale
            context = text(train.tokenize(tokenizer, captions))
        noisy, t, noise, weight = noisy_latents(latents, train.ALPHAS_CUMPROD)
        residuals = net(noisy, t.float(), context, mask_hint(masks))
        predicted = unet(noisy, t.float(), context, residuals)
        loss = (weight * (predicted - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
        state["step"] += 1
        running.append(loss.item())
        if state["step"] % 25 == 0:
            state["curve"].append([state["step"], float(np.mean(running))])
            log(f"controlnet step {state['step']} loss {np.mean(running):.4f}")
            running = []
        if time.time() - last_save > 300 or not stopper.running():
            state["seconds"] += time.time() - started
            started = last_save = time.time()
            state["weights"] = {k: v.half() for k, v in net.state_dict().items()}
            save(CONTROLNET_CHECKPOINT, state)
            log(f"controlnet: saved at step {state['step']}")
    return net.eval()


def load_controlnet(unet):
    net = ControlNet(unet)
    state = train.load_checkpoint(CONTROLNET_CHECKPOINT)
    net.load_state_dict({k: v.float() for k, v in state["weights"].items()})
    return net.eval(), state


@torch.no_grad()
def generate(unet, text, vae, scale, tokenizer, prompts, seed, hints=None, steps=20, cfg=5.0):
    """Euler with CFG as the engine runs it; `hints` (B×3×64×64) go to the ControlNet for both halves of the batch, as
    ControlNetApplyAdvanced sets it on the positive and the negative conditioning."""
    generator = torch.Generator().manual_seed(seed)
    batch = len(prompts)
    timesteps, sigmas = sigmas_for(steps, train.ALPHAS_CUMPROD)
    x = torch.randn(batch, 4, 16, 16, generator=generator) * (sigmas[0] ** 2 + 1).sqrt()
    context = torch.cat([text(train.tokenize(tokenizer, [""] * batch)), text(train.tokenize(tokenizer, prompts))])
    for i, t in enumerate(timesteps):
        sigma = sigmas[i]
        model_in = torch.cat([x, x]) / (sigma ** 2 + 1).sqrt()
        timestep = t.float().expand(2 * batch)
        residuals = hints[0](model_in, timestep, context, torch.cat([hints[1], hints[1]])) if hints else None
        uncond, cond = unet(model_in, timestep, context, residuals).chunk(2)
        eps = uncond + cfg * (cond - uncond)
        denoised = x - sigma * eps
        x = x + (x - denoised) / sigma * (sigmas[i + 1] - sigma)
    return ((vae.decoder(x / scale).clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy()


def control_eval_scenes(count=48, seed=20261202):
    """Held-out layouts: one object, a random size and grid cell, ±3 px; the prompt names only the object and the
    background, so where the object goes comes from the mask alone."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        obj, colour = i % len(OBJECTS), rng.randrange(len(COLOURS))
        size = rng.randrange(2)
        pixels = rng.randint(18, 22) if size == 0 else rng.randint(38, 42)
        cx, cy = scenes.grid_centre(rng.randrange(9), pixels)
        placement = scenes.Placement(obj, size, -1, (cx + rng.uniform(-3, 3), cy + rng.uniform(-3, 3)), pixels)
        scene = scenes.render(scenes.Scene(colour, [placement], "", "twitter"), rng)
        out.append((scene, f"a {OBJECTS[obj]['en']} on a {COLOURS[colour][0]} background"))
    return out


def iou(a, b):
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def evaluate_controlnet(tokenizer, net=None, seed=7):
    unet, text, vae, scale = load_frozen(tokenizer)
    if net is None:
        net, _ = load_controlnet(unet)
    _, segmenter, _ = train.load_vision()
    cases = control_eval_scenes()
    prompts = [prompt for _, prompt in cases]
    masks = torch.from_numpy(np.stack([scene.mask for scene, _ in cases]).astype(np.float32))
    with_control = generate(unet, text, vae, scale, tokenizer, prompts, seed, (net, mask_hint(masks)))
    without = generate(unet, text, vae, scale, tokenizer, prompts, seed)
    truth = masks.numpy() > 0.5

    def segment(images):
        with torch.no_grad():
            return segmenter(torch.from_numpy(images).permute(0, 3, 1, 2).float()).numpy()[:, 0] > 0.5

    scores = {}
    for label, images in (("controlnet", with_control), ("no_control", without)):
        found = segment(images)
        values = [iou(f, t) for f, t in zip(found, truth)]
        scores[label] = {"mean_iou": float(np.mean(values)), "median_iou": float(np.median(values)), "share_iou_over_0_5": float(np.mean([v > 0.5 for v in values]))}
    scores["cases"], scores["steps"], scores["cfg"], scores["sampler"] = len(cases), 20, 5.0, "euler"
    log(f"controlnet IoU: {scores}")
    return scores, with_control, without, truth


def export_controlnet(tokenizer):
    unet, _, _, _ = load_frozen(tokenizer)
    net, state = load_controlnet(unet)
    CONTROLNET_OUT.parent.mkdir(parents=True, exist_ok=True)
    sample, timestep, context, hint = torch.randn(2, 4, 16, 16), torch.tensor([500.0, 500.0]), torch.randn(2, train.LENGTH, 128), torch.rand(2, 3, 64, 64)
    dims = {"sample": {0: "batch_size", 2: "height", 3: "width"}, "timestep": {0: "steps"}, "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
            "controlnet_cond": {0: "batch_size", 2: "image_height", 3: "image_width"}}
    outputs = ["down_block_0", "down_block_1", "down_block_2", "mid_block_res_sample"]
    for name in outputs:
        dims[name] = {0: "batch_size", 2: f"{name}_height", 3: f"{name}_width"}
    torch.onnx.export(ControlNetExport(net), (sample, timestep, context, hint), CONTROLNET_OUT, input_names=["sample", "timestep", "encoder_hidden_states", "controlnet_cond"],
                      output_names=outputs, dynamic_axes=dims, opset_version=17)
    unet_path = REPO / "models" / "diffusion" / "inkgraph-emoji" / "unet" / "model.onnx"
    import onnx
    if not any(i.name == "mid_block_additional_residual" for i in onnx.load(unet_path).graph.input):
        residual_inputs_onnx(unet_path, unet_path)
        log(f"added residual inputs to {unet_path}")
    # Eight held-out layouts (every sixth object) for the test that measures the figure through the server.
    from PIL import Image
    CONTROLNET_FIXTURES.mkdir(parents=True, exist_ok=True)
    cases = []
    for index, (scene, prompt) in list(enumerate(control_eval_scenes()))[::6]:
        name = f"{index:02d}-mask.png"
        Image.fromarray(((scene.mask > 0.5) * 255).astype(np.uint8)).convert("RGB").save(CONTROLNET_FIXTURES / name)
        cases.append({"mask": name, "prompt": prompt})
    (CONTROLNET_FIXTURES / "cases.json").write_text(json.dumps(cases, indent=2) + "\n")
    log(f"exported {CONTROLNET_OUT} (step {state['step']})")
    return state


def controlnet_stage(args, tokenizer):
    net = train_controlnet(args, tokenizer) if args.minutes > 0 else None
    scores, with_control, without, truth = evaluate_controlnet(tokenizer, net)
    state = export_controlnet(tokenizer)
    report = {"step": state["step"], "minutes": state["seconds"] / 60, "hardware": train.hardware_name(), **scores}
    train.write_json(REPORTS / "controlnet.json", report)
    sheet(REPORTS / "controlnet.png", [[(t[..., None] * np.ones(3)) for t in truth[:8]], list(with_control[:8]), list(without[:8])])
    return report


# ---- 4× upscaler ---------------------------------------------------------------------------------------------

UPSCALER_CHECKPOINT = CHECKPOINTS / "upscaler.pt"
UPSCALER_OUT = REPO / "models" / "upscale_models" / "inkgraph-emoji-4x.onnx"
UPSCALE_FIXTURES = REPO / "tests" / "fixtures" / "upscale-emoji"


def to_tensor(images):
    return torch.from_numpy(np.ascontiguousarray(np.stack(images).transpose(0, 3, 1, 2))).float()


@torch.no_grad()
def through_vae(vae, images):
    """What the model's own decoder makes of an image (encode, decode): the blur an upscaler meets in its output."""
    return (vae.decoder(vae.encode(images * 2 - 1)[0]).clamp(-1, 1) + 1) / 2


def scene_pair(rng, scene):
    """The scene at 256² and that render averaged down to 64² (4×4 boxes): the pair is aligned to the pixel, which two
    separate renders are not (each rounds the sprites' sizes and places at its own resolution)."""
    big, _ = scenes.render(scene, rng, 64 * SCALE)
    small = big.reshape(64, SCALE, 64, SCALE, 3).mean(axis=(1, 3))
    return small.astype(np.float32), big


def upscale_batch(rng, vae, batch, crop):
    """Scenes rendered at 256² from the 256 px sprites and averaged down to 64² (half of those through the VAE), as
    aligned random crops: crop² in, (4·crop)² out."""
    pairs = [scene_pair(rng, scenes.random_scene(rng, allow_held_out=True)) for _ in range(batch)]
    small, big = to_tensor([p[0] for p in pairs]), to_tensor([p[1] for p in pairs])
    half = batch // 2
    small[:half] = through_vae(vae, small[:half])
    xs, ys = [], []
    for i in range(batch):
        x0, y0 = rng.randrange(64 - crop + 1), rng.randrange(64 - crop + 1)
        xs.append(small[i, :, y0:y0 + crop, x0:x0 + crop])
        ys.append(big[i, :, y0 * SCALE:(y0 + crop) * SCALE, x0 * SCALE:(x0 + crop) * SCALE])
    return torch.stack(xs), torch.stack(ys)


def train_upscaler(args, vae):
    model = Upscaler()
    state = {"step": 0, "seconds": 0.0, "curve": []}
    if UPSCALER_CHECKPOINT.exists():
        state = train.load_checkpoint(UPSCALER_CHECKPOINT)
        model.load_state_dict({k: v.float() for k, v in state["weights"].items()})
        log(f"upscaler: resumed at step {state['step']}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed or int(time.time()))
    stopper, started, last_save, running = Stopper(args.minutes), time.time(), time.time(), []
    while stopper.running():
        small, big = upscale_batch(rng, vae, args.batch, 32)
        # L1 (sharper edges than L2 on flat-coloured art).
        loss = (model(small) - big).abs().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state["step"] += 1
        running.append(loss.item())
        if state["step"] % 50 == 0:
            state["curve"].append([state["step"], float(np.mean(running))])
            log(f"upscaler step {state['step']} L1 {np.mean(running):.4f}")
            running = []
        if time.time() - last_save > 300 or not stopper.running():
            state["seconds"] += time.time() - started
            started = last_save = time.time()
            state["weights"] = {k: v.clone() for k, v in model.state_dict().items()}
            save(UPSCALER_CHECKPOINT, state)
            log(f"upscaler: saved at step {state['step']}")
    return model.eval()


def psnr(a, b):
    """PSNR in dB of images in 0..1, on 8-bit values as they are saved."""
    a8, b8 = np.round(np.clip(a, 0, 1) * 255), np.round(np.clip(b, 0, 1) * 255)
    mse = np.mean((a8 - b8) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def lanczos(image):
    """ComfyUI's ImageScale "lanczos" (PIL's filter on 8-bit pixels)."""
    from PIL import Image
    pil = Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8))
    return np.asarray(pil.resize((image.shape[1] * SCALE, image.shape[0] * SCALE), Image.LANCZOS), dtype=np.float32) / 255


def upscale_eval_scenes(count=48, seed=20261203):
    rng = random.Random(seed)
    return [scene_pair(rng, scenes.random_scene(rng, allow_held_out=True)) for _ in range(count)]


@torch.no_grad()
def evaluate_upscaler(model, vae):
    pairs = upscale_eval_scenes()
    small = to_tensor([p[0] for p in pairs])
    truth = [p[1] for p in pairs]
    report = {}
    for label, inputs in (("renders", small), ("through_vae", through_vae(vae, small))):
        upscaled = model(inputs).permute(0, 2, 3, 1).numpy()
        images = inputs.permute(0, 2, 3, 1).numpy()
        report[label] = {"upscaler_psnr": float(np.mean([psnr(u, t) for u, t in zip(upscaled, truth)])),
                         "lanczos_psnr": float(np.mean([psnr(lanczos(i), t) for i, t in zip(images, truth)]))}
    report["cases"] = len(pairs)
    log(f"upscaler PSNR: {report}")
    return report


def export_upscaler(model, report):
    from PIL import Image
    UPSCALER_OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (torch.rand(1, 3, 64, 64),), UPSCALER_OUT, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch_size", 2: "height", 3: "width"}, "output": {0: "batch_size", 2: "out_height", 3: "out_width"}}, opset_version=17)
    sidecar = {"scale": SCALE, "description": "Inkgraph's 4× upscaler for the embedded model's 64² images", "psnr": report}
    UPSCALER_OUT.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n")
    # A few held-out pairs for the test that measures the figure through the server.
    UPSCALE_FIXTURES.mkdir(parents=True, exist_ok=True)
    for index, (small, big) in enumerate(upscale_eval_scenes()[:8]):
        Image.fromarray((small * 255).round().astype(np.uint8)).save(UPSCALE_FIXTURES / f"{index:02d}-64.png")
        Image.fromarray((big * 255).round().astype(np.uint8)).save(UPSCALE_FIXTURES / f"{index:02d}-256.png")
    log(f"exported {UPSCALER_OUT}")


def upscaler_stage(args):
    vae, _ = train.load_vae()
    vae.requires_grad_(False)
    model = train_upscaler(args, vae) if args.minutes > 0 else None
    if model is None:
        model = Upscaler()
        state = train.load_checkpoint(UPSCALER_CHECKPOINT)
        model.load_state_dict(state["weights"])
        model.eval()
    state = train.load_checkpoint(UPSCALER_CHECKPOINT)
    report = evaluate_upscaler(model, vae)
    export_upscaler(model, report)
    train.write_json(REPORTS / "upscaler.json", {"step": state["step"], "minutes": state["seconds"] / 60, "hardware": train.hardware_name(), **report})
    return report


# ---- LoRA: an ink-drawing style ------------------------------------------------------------------------------

STYLE = LORA_STYLES[0]
LORA_CHECKPOINT = CHECKPOINTS / "lora-ink.pt"
LORA_OUT = REPO / "models" / "loras" / STYLE["lora"]
RANK, ALPHA = 8, 8.0
UNET_LORA_BLOCKS = {"attn1", "attn2", "mid_attn", "up_attn2", "up_attn1"}


def extend_vocabulary(tokenizer, pieces, label):
    """The tokens of a LoRA's words (`pieces`, the text they appear in), added once: vocab.json gains them after the
    existing ids (no prompt's ids change), and the text encoder's token table one row each, drawn as N(0, the table's
    std) like any token the base model never learned, so the words mean nothing to it until the LoRA gives them a
    meaning."""
    vocab_path = CHECKPOINTS / "tokenizer" / "vocab.json"
    new = []
    for piece in pieces:
        for token in tokenizer.tokens(piece):
            if token not in tokenizer.vocab and token not in new:
                new.append(token)
    if not new:
        return tokenizer
    vocab = dict(tokenizer.vocab)
    for token in new:
        vocab[token] = len(vocab)
    state = train.load_checkpoint(CHECKPOINTS / "diffusion.pt")
    table = state["text"]["token.weight"].float()
    # Seeded by the table's size (609 rows before the first LoRA), so each LoRA's words get rows of their own.
    rows = torch.randn(len(new), table.shape[1], generator=torch.Generator().manual_seed(1202 + table.shape[0] - 609)) * table.std()
    state["text"]["token.weight"] = torch.cat([table, rows]).half()
    save(CHECKPOINTS / "diffusion.pt", state)
    vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    log(f"vocabulary: added {new} for {label} ({len(vocab)} tokens)")
    tokenizer = ClipTokenizer.from_files(vocab_path, CHECKPOINTS / "tokenizer" / "merges.txt")
    unet, text, _, _ = load_frozen(tokenizer)
    train.export_text_encoder(text, tokenizer)
    train.write_json(train.OUT / "vocabulary.json", published())
    return tokenizer


def styled(caption, language):
    return f"{caption}, {STYLE['en']}" if language == "en" else f"{caption}，{STYLE['zh']}"


def lora_batch(rng, batch):
    """Half the scenes drawn in ink with the trigger words in their captions, half as the base model draws them
    without (so the LoRA changes only what the words ask for)."""
    images, captions = [], []
    for i in range(batch):
        scene = scenes.random_scene(rng)
        scene.ink = i % 2 == 0
        scenes.render(scene, rng)
        images.append(scene.image.transpose(2, 0, 1) * 2 - 1)
        language = "zh" if rng.random() < 0.35 else "en"
        caption = scenes.caption(scene, language, rng)
        if scene.ink:
            caption = styled(caption, language)
        elif rng.random() < 0.1:
            caption = ""
        captions.append(caption)
    return torch.from_numpy(np.stack(images).astype(np.float32)), captions


def lora_layers(unet, text):
    unet_layers = inject(unet, "lora_unet_", lambda path: path.split(".")[0] in UNET_LORA_BLOCKS, RANK, ALPHA)
    text_layers = inject(text, "lora_te_encoder_", lambda path: path.startswith("layers."), RANK, ALPHA)
    return {**unet_layers, **text_layers}


def train_lora(args, tokenizer, checkpoint, batch_of, layers_of):
    """Trains LoRA layers (`layers_of(unet, text)`) on batches from `batch_of(rng, size)`, resuming from and saving to
    `checkpoint`."""
    unet, text, vae, scale = load_frozen(tokenizer)
    layers = layers_of(unet, text)
    state = {"step": 0, "seconds": 0.0, "curve": []}
    if checkpoint.exists():
        state = train.load_checkpoint(checkpoint)
        load_state(layers, state["layers"])
        log(f"lora: resumed at step {state['step']} from {checkpoint.name}")
    parameters = [p for layer in layers.values() for p in (layer.down, layer.up)]
    optimizer = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=0.0)
    rng = random.Random(args.seed or int(time.time()))
    stopper, started, last_save, running = Stopper(args.minutes), time.time(), time.time(), []
    while stopper.running():
        images, captions = batch_of(rng, args.batch)
        with torch.no_grad():
            latents = vae.encode(images)[0] * scale
        noisy, t, noise, weight = noisy_latents(latents, train.ALPHAS_CUMPROD)
        predicted = unet(noisy, t.float(), text(train.tokenize(tokenizer, captions)))
        loss = (weight * (predicted - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        state["step"] += 1
        running.append(loss.item())
        if state["step"] % 25 == 0:
            state["curve"].append([state["step"], float(np.mean(running))])
            log(f"lora step {state['step']} loss {np.mean(running):.4f}")
            running = []
        if time.time() - last_save > 300 or not stopper.running():
            state["seconds"] += time.time() - started
            started = last_save = time.time()
            state["layers"] = state_of(layers)
            save(checkpoint, state)
            log(f"lora: saved at step {state['step']}")
    return unet, text, vae, scale, layers


def lora_eval_cases(count=48, seed=20261204):
    """Every object once, on a background other than black (ink on black is barely visible), prompts in both
    languages with the trigger words."""
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        obj, colour = OBJECTS[i % len(OBJECTS)], rng.choice([c for c in range(len(COLOURS)) if COLOURS[c][0] != "black"])
        en, zh = f"a {obj['en']} on a {COLOURS[colour][0]} background", f"{COLOURS[colour][1]}背景上{obj['zh']}"
        cases.append({"object": obj["id"], "colour": colour, "en": en, "zh": zh})
    return cases


def object_saturation(image, mask):
    """Mean HSV saturation of the object's pixels (image H×W×3 in 0..1): ink is near 0, emoji colours far above."""
    pixels = image[mask]
    if len(pixels) == 0:
        return float("nan")
    top, bottom = pixels.max(axis=1), pixels.min(axis=1)
    return float(np.mean(np.where(top > 0, (top - bottom) / np.maximum(top, 1e-6), 0)))


def object_chroma(image, mask):
    """Mean chroma (max − min of R, G, B, in 0..1) of the object's pixels. Unlike HSV saturation it does not divide by
    the brightness, so an ink-black pixel with a trace of colour noise counts as nearly grey, as it looks: HSV gives
    (20, 30, 40)/255 a saturation of 0.5, chroma 0.08."""
    pixels = image[mask]
    if len(pixels) == 0:
        return float("nan")
    return float(np.mean(pixels.max(axis=1) - pixels.min(axis=1)))


def judge_style(images, cases, classifier, segmenter):
    with torch.no_grad():
        masks = segmenter(torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float()).numpy()[:, 0] > 0.5
    saturations, chromas, hits = [], [], 0
    for image, mask, case in zip(images, masks, cases):
        saturations.append(object_saturation(image, mask))
        chromas.append(object_chroma(image, mask))
        box = foreground_box(mask.astype(np.float32))
        if box is not None:
            with torch.no_grad():
                hits += classifier(crop_to(image.astype(np.float32), box)[None] * 2 - 1).argmax(1).item() == case["object"]
    found = [s for s in saturations if s == s]
    found_chroma = [c for c in chromas if c == c]
    return {"object_saturation": float(np.mean(found)) if found else float("nan"), "share_saturation_under_0_15": float(np.mean([s < 0.15 for s in found])) if found else 0.0,
            "object_chroma": float(np.mean(found_chroma)) if found_chroma else float("nan"),
            "share_chroma_under_0_1": float(np.mean([c < 0.1 for c in found_chroma])) if found_chroma else 0.0,
            "classifier_identity": hits / len(cases)}


def trained_lora(tokenizer, trained, layers_of, checkpoint):
    """The frozen model with its LoRA layers: those just trained, or loaded from the checkpoint."""
    if trained is not None:
        return trained
    unet, text, vae, scale = load_frozen(tokenizer)
    layers = layers_of(unet, text)
    load_state(layers, train.load_checkpoint(checkpoint)["layers"])
    return unet, text, vae, scale, layers


def evaluate_lora(tokenizer, trained=None, seed=11):
    unet, text, vae, scale, layers = trained_lora(tokenizer, trained, lora_layers, LORA_CHECKPOINT)
    classifier, segmenter, _ = train.load_vision()
    cases = lora_eval_cases()
    report = {"cases": len(cases), "steps": 20, "cfg": 5.0, "sampler": "euler"}
    for language in ("en", "zh"):
        with_trigger = [styled(case[language], language) for case in cases]
        plain = [case[language] for case in cases]
        set_strength(layers, 1.0)
        report[f"{language}_lora_trigger"] = judge_style(generate(unet, text, vae, scale, tokenizer, with_trigger, seed), cases, classifier, segmenter)
        report[f"{language}_lora_plain"] = judge_style(generate(unet, text, vae, scale, tokenizer, plain, seed), cases, classifier, segmenter)
        set_strength(layers, 0.0)
        report[f"{language}_base_trigger"] = judge_style(generate(unet, text, vae, scale, tokenizer, with_trigger, seed), cases, classifier, segmenter)
        report[f"{language}_base_plain"] = judge_style(generate(unet, text, vae, scale, tokenizer, plain, seed), cases, classifier, segmenter)
    set_strength(layers, 1.0)
    rng = random.Random(3)
    real = np.stack([scenes.render(scenes.Scene(case["colour"], [scenes.Placement(case["object"], 1, 4, (32, 32), 40)], "", "twitter", ink=True), rng).image for case in cases])
    report["real_ink_renders"] = judge_style(real, cases, classifier, segmenter)
    # The most the model can show: the same renders encoded and decoded by its own VAE, as every image it makes is.
    through = through_vae(vae, to_tensor(list(real))).permute(0, 2, 3, 1).numpy()
    report["real_ink_through_vae"] = judge_style(through, cases, classifier, segmenter)
    log(f"lora: {report}")
    return report, (unet, text, vae, scale, layers)


def lora_stage(args, tokenizer):
    tokenizer = extend_vocabulary(tokenizer, [*STYLE["en"].split(), STYLE["zh"]], f"{STYLE['en']!r} and {STYLE['zh']!r}")
    trained = train_lora(args, tokenizer, LORA_CHECKPOINT, lora_batch, lora_layers) if args.minutes > 0 else None
    report, (unet, text, vae, scale, layers) = evaluate_lora(tokenizer, trained)
    state = train.load_checkpoint(LORA_CHECKPOINT)
    LORA_OUT.parent.mkdir(parents=True, exist_ok=True)
    save_safetensors(LORA_OUT, layers, {"ss_network_module": "networks.lora", "ss_network_dim": RANK, "ss_network_alpha": ALPHA, "ss_base_model_version": "inkgraph-emoji",
                                        "ss_steps": state["step"], "modelspec.title": "Inkgraph emoji: ink drawing", "modelspec.trigger_phrase": f"{STYLE['en']}, {STYLE['zh']}"})
    # The hardware it trained on: an evaluation alone (--minutes 0) keeps what the last training run wrote.
    previous = json.loads((REPORTS / "lora-ink.json").read_text(encoding="utf-8")) if (REPORTS / "lora-ink.json").exists() else {}
    hardware = train.hardware_name() if trained or "hardware" not in previous else previous["hardware"]
    train.write_json(REPORTS / "lora-ink.json", {"step": state["step"], "minutes": state["seconds"] / 60, "hardware": hardware, **report})
    prompts = [styled(case["en"], "en") for case in lora_eval_cases()[:8]]
    set_strength(layers, 1.0)
    with_lora = generate(unet, text, vae, scale, tokenizer, prompts, 11)
    set_strength(layers, 0.0)
    without = generate(unet, text, vae, scale, tokenizer, prompts, 11)
    sheet(REPORTS / "lora-ink.png", [list(with_lora), list(without)])
    log(f"exported {LORA_OUT}")
    return report


# ---- LoRA: an object the base model never saw ----------------------------------------------------------------

TAUGHT = LORA_OBJECTS[0]
OBJECT_LORA_CHECKPOINT = CHECKPOINTS / f"lora-{TAUGHT['en']}.pt"
OBJECT_LORA_OUT = REPO / "models" / "loras" / TAUGHT["lora"]
OBJECT_REPORT = f"lora-{TAUGHT['en']}"
# A new shape, not only new colours: besides the attention blocks' linear layers, LoCon on every ResBlock's two
# convolutions (the 16² ones draw the outline).
RESBLOCKS = {"down0", "down1", "down2", "mid1", "mid2", "up2", "up1", "up0"}


def object_lora_layers(unet, text):
    unet_layers = inject(unet, "lora_unet_", lambda path: path.split(".")[0] in UNET_LORA_BLOCKS, RANK, ALPHA,
                         convolutions=lambda path: path.split(".")[0] in RESBLOCKS and path.split(".")[-1] in ("conv1", "conv2"))
    text_layers = inject(text, "lora_te_encoder_", lambda path: path.startswith("layers."), RANK, ALPHA)
    return {**unet_layers, **text_layers}


def object_lora_batch(rng, batch):
    """Half the scenes hold the new object (alone at any size, place and background, or beside or above one of the 48),
    captioned by the base model's own templates; half are the base model's scenes, so the LoRA leaves them alone."""
    images, captions = [], []
    for i in range(batch):
        scene = scenes.random_scene(rng)
        if i % 2 == 0:
            scene.placements[rng.randrange(len(scene.placements))].object_id = TAUGHT["id"]
        scenes.render(scene, rng)
        images.append(scene.image.transpose(2, 0, 1) * 2 - 1)
        language = "zh" if rng.random() < 0.35 else "en"
        captions.append("" if i % 2 == 1 and rng.random() < 0.1 else scenes.caption(scene, language, rng))
    return torch.from_numpy(np.stack(images).astype(np.float32)), captions


def object_eval_scenes(object_id, count, seed):
    """One object per scene, every attribute stated: a random size, grid cell and background."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        size, position = rng.randrange(2), rng.randrange(9)
        pixels = 20 if size == 0 else 40
        out.append(scenes.Scene(rng.randrange(len(COLOURS)), [scenes.Placement(object_id, size, position, scenes.grid_centre(position, pixels), pixels)], "", "twitter"))
    return out


def judge_object(images, eval_scenes, classifier):
    """The release gates' independent checks (evaluate.judge: border colour, extent, grid cell, components, and the
    shipped classifier's identity, for the 48 only) and identity by template matching against all 49 sprites."""
    gates = judge(images, eval_scenes, [], classifier)
    result = {key: gates[key] for key in ("background", "size", "position", "count")}
    if eval_scenes[0].placements[0].object_id < len(OBJECTS):
        result["identity_classifier"] = gates["identity"]
    everything = list(range(len(OBJECTS) + len(LORA_OBJECTS)))
    found = [template_identity(image, measure(image)["mask"], everything) for image in images]
    result["identity_templates"] = float(np.mean([f == scene.placements[0].object_id for f, scene in zip(found, eval_scenes)]))
    return result


def evaluate_object_lora(tokenizer, trained=None, seed=11):
    unet, text, vae, scale, layers = trained_lora(tokenizer, trained, object_lora_layers, OBJECT_LORA_CHECKPOINT)
    classifier, _, _ = train.load_vision()
    taught = object_eval_scenes(TAUGHT["id"], 48, 20261205)
    base = scenes.held_out_scenes(48, seed=20261206)
    report = {"cases": len(taught), "base_cases": len(base), "steps": 20, "cfg": 5.0, "sampler": "euler", "object": TAUGHT}
    rng = random.Random(3)
    report["real_renders"] = judge_object(np.stack([scenes.render(scene, rng).image for scene in taught]), taught, classifier)
    for language in ("en", "zh"):
        for strength, label in ((1.0, "lora"), (0.0, "base")):
            set_strength(layers, strength)
            for name, cases in (("object", taught), ("others", base)):
                prompts = [scenes.full_caption(scene, language) for scene in cases]
                report[f"{language}_{label}_{name}"] = judge_object(generate(unet, text, vae, scale, tokenizer, prompts, seed), cases, classifier)
    set_strength(layers, 1.0)
    report["prompts"] = {language: [scenes.full_caption(scene, language) for scene in taught[:3]] for language in ("en", "zh")}
    log(f"lora ({TAUGHT['en']}): {report}")
    return report, (unet, text, vae, scale, layers)


def object_lora_stage(args, tokenizer):
    tokenizer = extend_vocabulary(tokenizer, sorted(scenes.object_caption_pieces(TAUGHT, OBJECTS)), f"{TAUGHT['en']!r} and {TAUGHT['zh']!r}")
    trained = train_lora(args, tokenizer, OBJECT_LORA_CHECKPOINT, object_lora_batch, object_lora_layers) if args.minutes > 0 else None
    report, (unet, text, vae, scale, layers) = evaluate_object_lora(tokenizer, trained)
    state = train.load_checkpoint(OBJECT_LORA_CHECKPOINT)
    OBJECT_LORA_OUT.parent.mkdir(parents=True, exist_ok=True)
    save_safetensors(OBJECT_LORA_OUT, layers, {"ss_network_module": "networks.lora", "ss_network_dim": RANK, "ss_network_alpha": ALPHA,
                                               "ss_network_args": json.dumps({"conv_dim": RANK, "conv_alpha": ALPHA}), "ss_base_model_version": "inkgraph-emoji",
                                               "ss_steps": state["step"], "modelspec.title": f"Inkgraph emoji: {TAUGHT['en']}", "modelspec.trigger_phrase": f"{TAUGHT['en']}, {TAUGHT['zh']}"})
    path = REPORTS / f"{OBJECT_REPORT}.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    hardware = train.hardware_name() if trained or "hardware" not in previous else previous["hardware"]
    train.write_json(path, {"step": state["step"], "minutes": state["seconds"] / 60, "hardware": hardware, **report})
    shown = object_eval_scenes(TAUGHT["id"], 48, 20261205)[:8]
    prompts = [scenes.full_caption(scene, "en") for scene in shown]
    rows = [[scenes.render(scene, random.Random(3)).image for scene in shown]]
    for strength in (1.0, 0.0):
        set_strength(layers, strength)
        rows.append(list(generate(unet, text, vae, scale, tokenizer, prompts, 11)))
    set_strength(layers, 1.0)
    sheet(REPORTS / f"{OBJECT_REPORT}.png", rows)
    log(f"exported {OBJECT_LORA_OUT}")
    return report


def cards_stage():
    """Each adapter's card beside its file, and the model card's section listing them, from the reports and the
    figures the server test measured (training/reports/server-figures.json)."""
    server = json.loads((REPORTS / "server-figures.json").read_text(encoding="utf-8"))
    read = lambda name: json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))  # noqa: E731
    CONTROLNET_OUT.with_suffix(".md").write_text(cards.controlnet_card(read("controlnet"), server["controlnet"]), encoding="utf-8")
    UPSCALER_OUT.with_suffix(".md").write_text(cards.upscaler_card(read("upscaler"), server["upscaler"]), encoding="utf-8")
    LORA_OUT.with_suffix(".md").write_text(cards.lora_card(read("lora-ink"), STYLE, server["lora"]), encoding="utf-8")
    train.write_model_card(train.build_tokenizer())
    log("wrote the adapters' cards and the model card")


def sheet(path, rows, scale=2):
    from PIL import Image
    cell = 64 * scale + 4
    image = Image.new("RGB", (cell * max(len(r) for r in rows), cell * len(rows)), (255, 255, 255))
    for y, row in enumerate(rows):
        for x, tile in enumerate(row):
            tile = Image.fromarray((np.clip(tile, 0, 1) * 255).astype(np.uint8))
            image.paste(tile.resize((64 * scale, 64 * scale), Image.NEAREST), (x * cell + 2, y * cell + 2))
    image.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", choices=["controlnet", "upscaler", "lora", "lora-object", "cards"], required=True)
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed or int(time.time()))
    tokenizer = train.build_tokenizer()
    if args.stage == "controlnet":
        controlnet_stage(args, tokenizer)
    if args.stage == "upscaler":
        upscaler_stage(args)
    if args.stage == "lora":
        lora_stage(args, tokenizer)
    if args.stage == "lora-object":
        object_lora_stage(args, tokenizer)
    if args.stage == "cards":
        cards_stage()


if __name__ == "__main__":
    main()
