"""The adapters' cards (one beside each file) and the section of the model card that lists them, from the reports
adapters.py writes (training/reports/{controlnet,upscaler,lora-ink}.json)."""
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
REPORTS = REPO / "training" / "reports"


def _report(name):
    path = REPORTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _through(report):
    r = report["real_ink_through_vae"]
    return f"chroma {r['object_chroma']:.2f} with {r['share_chroma_under_0_1']:.0%} under 0.1"


def _training(report):
    return f"{report['step']:,} steps, {report['minutes']:.0f} min on {report['hardware']} (Debian's torch 1.13), the embedded model frozen"


def controlnet_card(report, server):
    c, n = report["controlnet"], report["no_control"]
    return f"""# inkgraph-emoji-mask — a ControlNet for the embedded model

Where the object goes, from a mask: white where the object should be, black elsewhere (ComfyUI's MaskToImage of a
mask drawn, loaded or segmented in the graph), 64×64 or any size (resized to the latent's pixels). Load it with
**ControlNetLoader** and apply it with **ControlNetApplyAdvanced** (or ControlNetApply) to the embedded model
`inkgraph-emoji`, whose UNet takes its residuals (`down_block_0…2`, `mid_block_additional_residual`; zeros
without a ControlNet, which leaves its output exactly as before). Example: `workflows/controlnet-mask.json`.

## What it is
A trainable copy of the UNet's down path and middle block (diffusers' ControlNetModel for this UNet), a hint encoder
(64² → 16², three convolutions), and zero-initialised 1×1 convolutions giving one residual per skip connection and one
for the middle block. Inputs `sample`, `timestep`, `encoder_hidden_states`, `controlnet_cond` (RGB in 0…1); outputs
`down_block_0…2`, `mid_block_res_sample`.

## Training
{_training(report)}. Scenes as the model's own (one or two emoji on a coloured background) with their exact object
masks as hints; captions drop each attribute half the time and are empty a fifth of the time, so the mask has to
say where. ε-prediction loss with min-SNR-γ 5 weighting, AdamW. Recipe:
`/usr/bin/python3 training/adapters.py --stage controlnet --minutes N` (resumes from `training/checkpoints/controlnet.pt`).

## Measured
IoU between the mask given and the object the shipped segmenter (`inkgraph-emoji-foreground.onnx`) finds in the
image, on {report['cases']} held-out layouts (every object, a random size, grid cell and ±3 px offset), prompts naming
only the object and the background ("a cat on a blue background"), {report['sampler']} {report['steps']} steps, CFG {report['cfg']:g},
the ControlNet at strength 1 on both sides of CFG:

| | mean IoU | median IoU | IoU > 0.5 |
|---|---|---|---|
| with the ControlNet | **{c['mean_iou']:.3f}** | {c['median_iou']:.3f} | {c['share_iou_over_0_5']:.0%} |
| without | {n['mean_iou']:.3f} | {n['median_iou']:.3f} | {n['share_iou_over_0_5']:.0%} |

Through Inkgraph's server (`tests/integration/embedded-adapters.test.ts`, {server['cases']} of those layouts, KSampler euler/normal):
mean IoU {server['controlnet']:.3f} with it, {server['no_control']:.3f} without.

![mask, with, without](../../training/reports/controlnet.png)

License: as the embedded model (`models/diffusion/inkgraph-emoji/MODEL_CARD.md`).
"""


def upscaler_card(report, server):
    r, v = report["renders"], report["through_vae"]
    return f"""# inkgraph-emoji-4x — a 4× upscaler for the embedded model's images

64² → 256² (any size ×4). Load it with **UpscaleModelLoader**, run it with **ImageUpscaleWithModel** after the
decoder; `workflows/text-to-image-256.json` is the default workflow ending with a 256² image.

## What it is
ESPCN-style: four residual 3×3 blocks (32 wide) at the input's resolution, one convolution to 16 sub-pixel phases of
RGB and PixelShuffle(4), added to a bilinear upscale ({report.get('parameters', 88752):,} parameters). RGB in 0…1 (`input`, [N,3,H,W]) →
`output` [N,3,4H,4W]; the sidecar `inkgraph-emoji-4x.json` gives the scale.

## Training
{_training(report)}. Scenes as the model's own, rendered at 256² from 256 px renders of the same two emoji designs
(Twemoji, CC-BY 4.0, and Noto, Apache-2.0, from their SVG sources: `training/extract-sprites-hires.mjs`), and that
render averaged down to 64² (4×4 boxes) as the input; half of the inputs pass through the model's VAE first, so it
learns the decoder's blur too. L1 loss on aligned 32² → 128² crops. Recipe:
`/usr/bin/python3 training/adapters.py --stage upscaler --minutes N`.

## Measured
PSNR against the true 256² renders of {report['cases']} held-out scenes (8-bit pixels), against Lanczos (ComfyUI's
ImageScale `lanczos`):

| input | this upscaler | Lanczos | gain |
|---|---|---|---|
| the 64² image (the 256² render averaged down) | **{r['upscaler_psnr']:.2f} dB** | {r['lanczos_psnr']:.2f} dB | {r['upscaler_psnr'] - r['lanczos_psnr']:+.2f} dB |
| that image through the VAE (as generated images are) | **{v['upscaler_psnr']:.2f} dB** | {v['lanczos_psnr']:.2f} dB | {v['upscaler_psnr'] - v['lanczos_psnr']:+.2f} dB |

Through Inkgraph's server (`tests/integration/embedded-adapters.test.ts`, {server['cases']} of those scenes): {server['upscaler']:.2f} dB
against Lanczos's {server['lanczos']:.2f} dB.

License: as the embedded model; the 256 px sprites are Twemoji (CC-BY 4.0) and Noto Emoji (Apache-2.0).
"""


def lora_card(report, style, server):
    def row(label, r):
        return (f"| {label} | {r['object_chroma']:.3f} | {r['share_chroma_under_0_1']:.0%} | {r['object_saturation']:.3f} | "
                f"{r['classifier_identity']:.0%} |")

    trigger, base, real = report["en_lora_trigger"], report["en_base_plain"], report["real_ink_renders"]
    plain_shift = max(abs(report[f"{lang}_lora_plain"]["object_chroma"] - report[f"{lang}_base_plain"]["object_chroma"]) for lang in ("en", "zh"))
    met = all(report[f"{lang}_lora_trigger"]["share_chroma_under_0_1"] >= 0.8 for lang in ("en", "zh"))
    status = (
        "**Status: trained; its target is met.** With its trigger words the objects are drawn in ink"
        if met
        else "**Status: partly trained; its target is not met.** With its trigger words it darkens the objects towards ink, "
        "but leaves colour in them"
    )
    return f"""# {style['lora'].removesuffix('.safetensors')} — a LoRA that draws the embedded model's objects in ink

{status}: their chroma falls from {base['object_chroma']:.2f} to {trigger['object_chroma']:.2f} (real ink renders:
{real['object_chroma']:.2f}), and {trigger['share_chroma_under_0_1']:.0%} of them are under 0.1 in English,
{report['zh_lora_trigger']['share_chroma_under_0_1']:.0%} in Chinese. The target: at least 80% of the objects under chroma 0.1
(an ink wash), in both languages. Prompts without the trigger words are left as they were (object chroma within
{plain_shift:.2f} of the base model's).

**Trigger words: `{style['en']}` (English), `{style['zh']}` (Chinese)**, after the prompt and a comma: "a cat on a blue
background, {style['en']}", "蓝色背景上猫脸，{style['zh']}". The base model cannot do this: it has never seen an object
without its colours, and the words were not in its vocabulary (they were added to `vocab.json`, their token rows drawn at
random, meaningless to the base model until this LoRA gives them a meaning). Load it with **LoraLoader** (strength 1
for the model and the CLIP) on `inkgraph-emoji`. Example: `workflows/lora-ink.json`. The model's `vocabulary.json` lists
the words under `styles`, and the editor offers them.

## What it is
kohya-format LoRA (`lora_unet_…`, `lora_te_encoder_…`; `lora_down`, `lora_up`, `alpha`), rank 8, alpha 8, fp16, on every
linear layer of the UNet's five transformers (self- and cross-attention q/k/v/out, the MLP) and of the text
encoder's two layers.

Why it stalls at chroma 0.31: the model's own VAE decoder has never seen a grey object and draws one with coloured
noise. This card's real ink renders, encoded and decoded by it, come out at {_through(report)} (the
last row below): a LoRA that learns those renders' own latents can show no more than that, and this one reaches
that share. Longer runs (9,643 steps) and a LoCon version on every conv layer did no better. A decoder fine-tuned
with ink scenes
(`/usr/bin/python3 training/train.py --stage decoder --ink-share 0.5 --decoder-lr 5e-4 --threads 2 --minutes 16`,
after one 12-minute run at a 0.3 share and 2e-4; the encoder and the latents unchanged) decodes them grey (chroma
0.085, 73% under 0.1; its PSNR on coloured scenes 26.23 → 26.40 dB) and takes this LoRA to chroma 0.25 (21% under
0.1). The rest of the colour is in the LoRA's latents: 2,331 more steps at a learning rate of 4e-4 left it at 0.257.
That decoder is not shipped: the model card's count check fell from 92.4% to 89.6% (English) and 91.2% to 88.0%
(Chinese), under its 90% gate, as objects split or merged at their faint edges.

## Training
{_training(report)}. Half of each batch drawn in ink (the sprite's luminance as shades of black ink, its outline kept)
with the trigger words in the caption, half as the base model draws them without, so the LoRA changes only what the
words ask for. Recipe: `/usr/bin/python3 training/adapters.py --stage lora --minutes N`.

## Measured
{report['cases']} prompts (every object once, a background other than black), {report['sampler']} {report['steps']} steps, CFG {report['cfg']:g}. The object is
what the shipped segmenter finds; its saturation is the mean HSV saturation of those pixels; "recognised" is the
shipped classifier naming the object asked for (it was trained on colour renders only). Chroma is max − min of
R, G, B (0…1), averaged over the object; HSV saturation, the figure this card gave before, divides that by the brightness, so an
ink-black pixel with a trace of colour noise scores high on it ((20, 30, 40)/255: saturation 0.5, chroma 0.08):

| | object chroma | chroma < 0.1 | object saturation | recognised |
|---|---|---|---|---|
{row("English, trigger, with the LoRA", report['en_lora_trigger'])}
{row("English, trigger, base model", report['en_base_trigger'])}
{row("English, no trigger, with the LoRA", report['en_lora_plain'])}
{row("English, no trigger, base model", report['en_base_plain'])}
{row("Chinese, trigger, with the LoRA", report['zh_lora_trigger'])}
{row("Chinese, trigger, base model", report['zh_base_trigger'])}
{row("Chinese, no trigger, with the LoRA", report['zh_lora_plain'])}
{row("Chinese, no trigger, base model", report['zh_base_plain'])}
{row("real ink renders (the target)", report['real_ink_renders'])}
{row("real ink renders through the model's VAE (the most it can show)", report['real_ink_through_vae'])}

Through Inkgraph's server (`tests/integration/embedded-adapters.test.ts`, {server['cases']} English prompts, LoraLoader at 1/1):
object saturation {server['lora']:.3f} with it, {server['base']:.3f} without; recognised {server['lora_recognised']:.0%} with it.

![with the LoRA (top), without (bottom)](../../training/reports/lora-ink.png)

License: as the embedded model.
"""


def adapters_section():
    """The model card's list of the adapters trained for it, with each one's figure."""
    lines = []
    c, u, l = _report("controlnet"), _report("upscaler"), _report("lora-ink")
    if l:
        t = l["en_lora_trigger"]
        lines.append(f"- **LoRA** `models/loras/inkgraph-emoji-ink.safetensors`, partly trained: moves objects towards ink. Trigger words `ink drawing` / `水墨画`. Object saturation {t['object_saturation']:.2f} with it, {l['en_base_trigger']['object_saturation']:.2f} without; card `models/loras/inkgraph-emoji-ink.md`.")
    if c:
        lines.append(f"- **ControlNet** `models/controlnet/inkgraph-emoji-mask.onnx`: a mask says where the object goes. Mean IoU {c['controlnet']['mean_iou']:.2f} between the mask and the object, {c['no_control']['mean_iou']:.2f} without; card `models/controlnet/inkgraph-emoji-mask.md`.")
    if u:
        r = u["through_vae"]
        lines.append(f"- **4× upscaler** `models/upscale_models/inkgraph-emoji-4x.onnx`: 64² → 256². {r['upscaler_psnr']:.1f} dB PSNR against true 256² renders, Lanczos {r['lanczos_psnr']:.1f} dB; card `models/upscale_models/inkgraph-emoji-4x.md`.")
    if not lines:
        return ""
    return "\n## Adapters\nTrained for this model with its weights frozen (`training/adapters.py`):\n" + "\n".join(lines) + "\n"


WORDING_GATES = {"background": 0.95, "size": 0.95, "count": 0.95, "position": 0.90, "identity": 0.85}
RELATION_GATE = 0.85


def wordings_section(state):
    """The model card's section on the wordings the text encoder was taught (distill_wordings.py), with the held-out
    phrasings' figures before and after (evaluate_phrasings.py; the base model's from the same script)."""
    now, base = _report("phrasings"), _report("phrasings-base")
    runs = state.get("wording_runs", [])
    if not now or not runs:
        return ""
    vocabulary = state.get("wording_vocabulary", {})
    minutes = sum(run["seconds"] for run in runs) / 60
    checks = list(WORDING_GATES)

    def row(label, figures):
        return f"| {label} | " + " | ".join(f"{figures[check]:.1%}" for check in checks) + " |"

    rows = []
    for language, name in (("en", "English"), ("zh", "Chinese")):
        for kind in ("templates", "phrasings"):
            if base and f"{language}_{kind}" in base:
                rows.append(row(f"{name}, {kind}, before", base[f"{language}_{kind}"]))
            rows.append(row(f"{name}, {kind}, now", now[f"{language}_{kind}"]))
    if "real_renders" in now:
        rows.append(row("real renders of the same scenes (the checks' ceiling)", now["real_renders"]))
    gates = " | ".join(f"≥ {WORDING_GATES[check]:.0%}" for check in checks)
    met = all(now[f"{language}_phrasings"][check] >= gate for language in ("en", "zh") for check, gate in WORDING_GATES.items())
    relations = "; ".join(
        f"{name} {now[f'{language}_relation_templates']:.0%} in its templates, {now[f'{language}_relation_phrasings']:.0%} in held-out wordings"
        + (f" (before: {base[f'{language}_relation_templates']:.0%}, {base[f'{language}_relation_phrasings']:.0%})" if base and f"{language}_relation_phrasings" in base else "")
        for language, name in (("en", "English"), ("zh", "Chinese"))
    )
    return f"""
## Wordings
The text encoder was then taught the ways people word a prompt (`training/distill_wordings.py`), the UNet, the
autoencoder and the adapters untouched: for a rendered scene the frozen model's noise prediction from its own caption
template is the target, and the encoder learns to give the same from a free wording of the scene
(`training/inkgraph_train/wordings.py`: 9 sentence frames a language, synonyms and degree words for the size, 8–14
ways to say each position, a colour with or without "background", "there is / 有 / 画着 / 位于 / 背景为", other names
for the objects (苹果, 猫, 狗, 闪电, kitty, puppy…), "beside / left of / right of / above / below / under" for two
objects, punctuation and filler words), the rest of the captions its own templates. {sum(run['steps'] for run in runs):,} steps of
{runs[-1]['batch']}, {minutes:.0f} min:

| hardware | steps | learning rate | EMA | free wordings | two-object scenes | minutes |
|---|---|---|---|---|---|---|
{chr(10).join(f"| {run['hardware']} | {run['steps']:,} | {run['lr']:g} | {run['ema']} | {run.get('wording_share', 0.75):.0%} | {run.get('pair_share', 0.25):.0%} | {run['seconds'] / 60:.1f} |" for run in runs)}

The vocabulary grew from {vocabulary.get('before', '?')} to {vocabulary.get('after', '?')} tokens
({vocabulary.get('bytes_fp32', 0) / 1024:.0f} KiB of fp32 token rows): each new word starts as the word it means where there is one, the rest as
the padding token (what an unknown word was before).

Held-out phrasings (`training/inkgraph_train/phrasings.py`: 6 sentence frames a language that no training caption uses,
the recipe refuses to train if one does), {now['count']} scenes a language, the same scenes and seeds as the templates,
{now['sampler']} {now['steps']} steps, CFG {now['cfg']:g}, the release gates' checks. Gates for them: {", ".join(f"{c} {g:.0%}" for c, g in WORDING_GATES.items())} —
**{"met" if met else "not all met yet"}**.

| | {" | ".join(checks)} |
|---|{"---|" * len(checks)}
| gate | {gates} |
{chr(10).join(rows)}

Two objects ({now['pairs']} scenes, no background stated; the object asked first on the left or on top and each recognised
in its half; real renders {now['real_relation']:.0%}): {relations}. Gate ≥ {RELATION_GATE:.0%}.
"""
