"""Teaches the text encoder the ways people word a prompt (inkgraph_train/wordings.py), the UNet untouched.

Distillation: for a rendered scene, the frozen model's noise prediction given its own caption template (which it
follows almost perfectly) is the target, and the text encoder is trained so that the same frozen UNet predicts the
same noise from a free wording of that scene — in either language, with synonyms, other word orders, colour
without "background", two-object relations it never saw worded so. Its own templates are in the mix too, so what it
did well it keeps. The UNet, the decoder and every adapter trained against them (ControlNet, the ink LoRA) stay as
they are; only text_encoder/ and the tokenizer change.

    /usr/bin/python3 training/distill_wordings.py --minutes 60      # resumes; saves every few minutes and on SIGTERM
    /usr/bin/python3 training/distill_wordings.py --minutes 0 --export   # ship what is saved
"""
import argparse
import json
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train  # noqa: E402
from inkgraph_train import scenes, wordings  # noqa: E402
from inkgraph_train.models import EMA, TextEncoder, UNet  # noqa: E402
from inkgraph_train.tokenizer import ClipTokenizer  # noqa: E402
from inkgraph_train.vocabulary import COLOURS, published  # noqa: E402

# The student lives in its own checkpoint and vocabulary until it is shipped (--export): the shipped model keeps
# diffusion.pt and vocab.json. wordings.pt starts as a copy of diffusion.pt.
CHECKPOINT = train.CHECKPOINTS / "wordings.pt"
VOCAB = train.CHECKPOINTS / "tokenizer" / "vocab-wordings.json"

# A new word's first meaning: the word the base model learned for the same thing (its embedding row copied), so
# the encoder starts from what it knows; every other new token starts as the padding token, which is what the base
# model saw for a word it did not know, so before training the encoder reads every prompt exactly as it did.
START_AS = {
    "small": ["tiny", "little", "mini", "smallish", "teeny"], "large": ["big", "huge", "giant", "enormous", "oversized"],
    "top": ["upper"], "bottom": ["lower"], "center": ["centre", "middle", "centered"], "cat": ["kitty", "kitten"], "dog": ["puppy", "doggy"],
    "pig": ["piggy"], "donut": ["doughnut"], "burger": ["hamburger", "cheeseburger"], "airplane": ["plane", "aeroplane", "jet"], "bicycle": ["bike"],
    "background": ["backdrop", "bg"], "above": ["over"], "gift": ["present"], "house": ["home"], "rocket": ["spaceship"],
}


def tokens_needed(tokenizer):
    """The tokens the training wordings are made of, in a fixed order."""
    texts = wordings.english_words() + wordings.chinese_words() + [c[1] for c in COLOURS] + wordings.sample_wordings(40000, seed=11)
    needed = []
    seen = set(tokenizer.vocab)
    for text in texts:
        for token in tokenizer.tokens(text):
            if token not in seen:
                seen.add(token)
                needed.append(token)
    return needed


def extend_vocabulary(tokenizer, state):
    """vocab.json gains the wordings' tokens after the existing ids (no prompt's ids change) and the text encoder's
    token table a row each (START_AS); a second run adds nothing."""
    new = tokens_needed(tokenizer)
    if not new:
        return tokenizer
    table = state["text"]["token.weight"].float()
    pad = table[tokenizer.vocab["<|endoftext|>"]]
    rows = pad.repeat(len(new), 1)
    for known, words in START_AS.items():
        source = tokenizer.tokens(known)
        if len(source) != 1 or source[0] not in tokenizer.vocab:
            continue
        for word in words:
            token = f"{word}</w>"
            if token in new:
                rows[new.index(token)] = table[tokenizer.vocab[source[0]]]
    vocab = dict(tokenizer.vocab)
    for token in new:
        vocab[token] = len(vocab)
    for key in ("text", "teacher_text"):
        if key in state:
            state[key]["token.weight"] = torch.cat([state[key]["token.weight"].float(), rows]).half()
    grown = state.get("wording_vocabulary", {"before": len(tokenizer.vocab), "bytes_fp32": 0})
    state["wording_vocabulary"] = {"before": grown["before"], "after": len(vocab), "bytes_fp32": grown["bytes_fp32"] + len(new) * table.shape[1] * 4}
    save(state)
    VOCAB.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    train.log(f"vocabulary: {len(tokenizer.vocab)} → {len(vocab)} tokens (+{len(new)} rows, {len(new) * table.shape[1] * 4 / 1024:.0f} KiB as fp32)")
    return ClipTokenizer.from_files(VOCAB, train.CHECKPOINTS / "tokenizer" / "merges.txt")


def student_tokenizer():
    """The student's vocabulary (the shipped one until the first run extends it)."""
    path = VOCAB if VOCAB.exists() else train.CHECKPOINTS / "tokenizer" / "vocab.json"
    return ClipTokenizer.from_files(path, train.CHECKPOINTS / "tokenizer" / "merges.txt")


def export(state):
    """Ships the student: its text encoder into diffusion.pt and text_encoder/, its vocabulary into vocab.json, and the
    words it was taught into vocabulary.json (the LoRA's and ControlNet's figures should be measured again after)."""
    shutil.copyfile(VOCAB, train.CHECKPOINTS / "tokenizer" / "vocab.json")
    shipped = train.load_checkpoint(train.CHECKPOINTS / "diffusion.pt")
    shipped["text"] = state["text"]
    # The model card's Wordings section (cards.wordings_section) reads these from diffusion.pt.
    for key in ("wording_runs", "wording_steps", "wording_vocabulary", "wording_curve"):
        shipped[key] = state.get(key)
    temporary = train.CHECKPOINTS / "diffusion.pt.tmp"
    torch.save(shipped, temporary)
    temporary.replace(train.CHECKPOINTS / "diffusion.pt")
    tokenizer = train.build_tokenizer()
    train.export_text_encoder(text_encoder(state["text"], len(tokenizer.vocab)).eval(), tokenizer)
    train.write_json(train.OUT / "vocabulary.json", published(taught=True))
    train.log("exported text_encoder/ and the vocabulary")


def save(state):
    temporary = CHECKPOINT.with_suffix(".pt.tmp")
    torch.save(state, temporary)
    temporary.replace(CHECKPOINT)


def text_encoder(weights, vocab_size):
    module = TextEncoder(vocab_size)
    module.load_state_dict({k: v.float() for k, v in weights.items()})
    return module


def scene_of(rng, pair_share):
    """A random scene, two objects with probability `pair_share` (relations are the harder thing to read)."""
    want_pair = rng.random() < pair_share
    while True:
        scene = scenes.random_scene(rng)
        if bool(scene.relation) == want_pair:
            return scene


def batch_of(rng, tokenizer, size, wording_share, chinese_share, empty_share, pair_share, drop=0.25):
    """Images, the teacher's template captions and the student's wordings of the same scenes."""
    images, taught, worded = [], [], []
    for _ in range(size):
        scene = scenes.render(scene_of(rng, pair_share), rng)
        images.append(scene.image.transpose(2, 0, 1) * 2 - 1)
        if rng.random() < empty_share:
            taught.append("")
            worded.append("")
            continue
        language = "zh" if rng.random() < chinese_share else "en"
        kept = scenes.kept_attributes(rng, drop)
        template = scenes.template_caption(scene, language, kept, rng.randrange(scenes.TEMPLATE_COUNT[language]))
        taught.append(template)
        worded.append(wordings.wording(scene, language, kept, rng) if rng.random() < wording_share else template)
    return torch.from_numpy(np.stack(images).astype(np.float32)), train.tokenize(tokenizer, taught), train.tokenize(tokenizer, worded)


def distill(args, tokenizer, state):
    vae, vae_state = train.load_vae()
    scale = vae_state["scale_factor"]
    unet = UNet()
    unet.load_state_dict({k: v.float() for k, v in state["unet"].items()})
    teacher = text_encoder(state["teacher_text"], len(tokenizer.vocab))
    student = text_encoder(state["text"], len(tokenizer.vocab))
    for module in (unet, teacher, vae):
        module.eval().requires_grad_(False)
    student.train()
    ema = EMA(student, args.ema)
    # No weight decay: a token no wording uses (the LoRA's trigger words) must keep its row exactly.
    optimizer = torch.optim.AdamW(student.parameters(), lr=args.lr, weight_decay=0.0)
    run = {"hardware": train.hardware_name(), "batch": args.batch, "lr": args.lr, "ema": args.ema, "pair_share": args.pair_share, "wording_share": args.wording_share, "drop": args.drop, "first_step": state.get("wording_steps", 0), "steps": 0, "seconds": 0.0}
    state.setdefault("wording_runs", []).append(run)
    rng = random.Random(args.seed or int(time.time()))
    torch.manual_seed(rng.randrange(2**31))
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))
    started = last_save = time.time()
    deadline = started + args.minutes * 60
    running = []

    def keep():
        nonlocal last_save
        now = time.time()
        run["seconds"] += now - last_save
        state["wording_seconds"] = state.get("wording_seconds", 0.0) + now - last_save
        last_save = now
        state["text"] = {k: v.half() for k, v in ema.shadow.items()}
        save(state)
        train.log(f"saved at wording step {state['wording_steps']}")

    while time.time() < deadline and not stop:
        images, taught, worded = batch_of(rng, tokenizer, args.batch, args.wording_share, args.chinese_share, 0.05, args.pair_share, args.drop)
        rate = args.lr * min(1.0, (run["steps"] + 1) / args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = rate
        with torch.no_grad():
            latents = vae.encode(images)[0] * scale
            t = torch.randint(0, 1000, (latents.shape[0],))
            alpha = train.ALPHAS_CUMPROD[t][:, None, None, None]
            noisy = alpha.sqrt() * latents + (1 - alpha).sqrt() * torch.randn_like(latents)
            target = unet(noisy, t.float(), teacher(taught))
        loss = F.mse_loss(unet(noisy, t.float(), student(worded)), target)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        optimizer.step()
        ema.update(student)
        state["wording_steps"] = state.get("wording_steps", 0) + 1
        run["steps"] += 1
        running.append(float(loss))
        if run["steps"] % 25 == 0:
            mean = sum(running) / len(running)
            state.setdefault("wording_curve", []).append([state["wording_steps"], mean])
            train.log(f"wording step {state['wording_steps']} loss {mean:.5f} ({run['steps'] * args.batch / (time.time() - started):.0f} samples/s)")
            running = []
        if time.time() - last_save > args.save_every:
            keep()
    keep()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--ema", type=float, default=0.995)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--wording-share", type=float, default=0.75, help="share of captions worded freely (the rest: the templates)")
    parser.add_argument("--chinese-share", type=float, default=0.45)
    parser.add_argument("--drop", type=float, default=0.25, help="chance a caption leaves out each attribute (the base model's training: 0.25)")
    parser.add_argument("--pair-share", type=float, default=0.25, help="share of two-object scenes (the base model's training: 0.25)")
    parser.add_argument("--save-every", type=float, default=300)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--export", action="store_true", help="ship the student (text_encoder/, vocab.json, vocabulary.json)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    train.log(f"held-out phrasings kept apart: {wordings.check_held_out_apart()} sampled wordings match none")
    state = train.load_checkpoint(CHECKPOINT if CHECKPOINT.exists() else train.CHECKPOINTS / "diffusion.pt")
    # The teacher is the text encoder as it was before any wording was taught, kept in the checkpoint for resuming.
    state.setdefault("teacher_text", {k: v.clone() for k, v in state["text"].items()})
    tokenizer = extend_vocabulary(student_tokenizer(), state)
    if args.minutes > 0:
        distill(args, tokenizer, state)
    if args.export:
        export(state)


if __name__ == "__main__":
    main()
