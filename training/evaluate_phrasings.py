"""The shipped model on the held-out phrasings (inkgraph_train/phrasings.py) against its own caption templates, on the
same scenes and seeds, judged without the generator as the release gates are (border colour, foreground area and
centroid, connected components, the object classifier on a crop). Writes training/reports/phrasings.json.

    /usr/bin/python3 training/evaluate_phrasings.py [--count 150]
    /usr/bin/python3 training/evaluate_phrasings.py --checkpoint training/checkpoints/wordings.pt \
        --vocab training/checkpoints/tokenizer/vocab-wordings.json --report phrasings-wordings
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train  # noqa: E402
from inkgraph_train import evaluate as gates, phrasings, scenes  # noqa: E402
from inkgraph_train.models import TextEncoder, UNet  # noqa: E402
from inkgraph_train.tokenizer import ClipTokenizer  # noqa: E402

CHECKS = ("background", "size", "count", "position", "identity")


def images_for(texts, model, tokenizer, seed):
    unet, text, vae, scale = model
    empty = train.tokenize(tokenizer, [""])
    return np.concatenate([
        gates.generate(unet, text, vae, scale, train.tokenize(tokenizer, texts[i:i + 50]), empty, seed + i, train.ALPHAS_CUMPROD)
        for i in range(0, len(texts), 50)
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--pairs", type=int, default=60, help="two-object scenes for the relation check")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--checkpoint", type=Path, default=train.CHECKPOINTS / "diffusion.pt", help="wordings.pt: the wording-taught text encoder")
    parser.add_argument("--vocab", type=Path, default=train.CHECKPOINTS / "tokenizer" / "vocab.json", help="its vocabulary (vocab-wordings.json)")
    parser.add_argument("--report", default="phrasings", help="the report's name in training/reports/")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    tokenizer = ClipTokenizer.from_files(args.vocab, train.CHECKPOINTS / "tokenizer" / "merges.txt")
    vae, vae_state = train.load_vae()
    state = train.load_checkpoint(args.checkpoint)
    unet, text = UNet(), TextEncoder(len(tokenizer.vocab))
    unet.load_state_dict({k: v.float() for k, v in state["unet"].items()})
    text.load_state_dict({k: v.float() for k, v in state["text"].items()})
    for module in (unet, text, vae):
        module.eval()
    model = (unet, text, vae, vae_state["scale_factor"])
    classifier, _, _ = train.load_vision()
    held_out = scenes.held_out_scenes(args.count)
    pairs = gates.two_object_scenes(args.pairs, seed=91)
    report_pairs = {"pairs": args.pairs, "real_relation": gates.judge_relations(gates.real_renders([], pairs), pairs, classifier),
                    "real_renders": gates.judge(gates.real_renders(held_out, []), held_out, [], classifier)}
    report = {"count": args.count, "step": state["step"], "wording_steps": state.get("wording_steps", 0), "sampler": "euler", "steps": 20, "cfg": 5.0, **report_pairs}
    grid = {}
    for language in ("en", "zh"):
        templates = [scenes.full_caption(scene, language) for scene in held_out]
        phrased = phrasings.phrased_prompts(held_out, language)
        report[f"{language}_templates"] = gates.judge(images_for(templates, model, tokenizer, args.seed), held_out, [], classifier)
        images = images_for(phrased, model, tokenizer, args.seed)
        report[f"{language}_phrasings"] = gates.judge(images, held_out, [], classifier)
        grid[language] = (phrased, images)
        # Per held-out template: the same checks on the scenes worded by it.
        count = len(phrasings.TEMPLATES_EN if language == "en" else phrasings.TEMPLATES_ZH)
        report[f"{language}_by_template"] = [
            {"example": phrased[t], **gates.judge(images[t::count], held_out[t::count], [], classifier)} for t in range(count)
        ]
        # Two objects and their relation, worded without the background both ways.
        plain = {"colour": False, "size": False, "position": False}
        pair_templates = [scenes.template_caption(scene, language, plain, 0) for scene in pairs]
        report[f"{language}_relation_templates"] = gates.judge_relations(images_for(pair_templates, model, tokenizer, args.seed), pairs, classifier)
        pair_phrasings = phrasings.phrased_pairs(pairs, language)
        report[f"{language}_relation_phrasings"] = gates.judge_relations(images_for(pair_phrasings, model, tokenizer, args.seed), pairs, classifier)
        train.log(f"{language}: templates {report[f'{language}_templates']}, phrasings {report[f'{language}_phrasings']}, "
                  f"relations {report[f'{language}_relation_templates']:.3f} / {report[f'{language}_relation_phrasings']:.3f}")
    train.write_json(train.ROOT / "reports" / f"{args.report}.json", report)
    # The first 12 held-out wordings of each language, for the README.
    train.save_sheet(grid, train.ROOT / "reports" / f"{args.report}.png", train.ROOT / "reports" / f"{args.report}-samples.json")
    print(f"{args.count} scenes a language, the model at step {state['step']}, {report['wording_steps']} wording steps:")
    print("| | " + " | ".join(CHECKS) + " |")
    print("|---|" + "---|" * len(CHECKS))
    for language, name in (("en", "English"), ("zh", "Chinese")):
        for kind in ("templates", "phrasings"):
            row = report[f"{language}_{kind}"]
            print(f"| {name}, {kind} | " + " | ".join(f"{row[check]:.1%}" for check in CHECKS) + " |")
    print(f"relation (two objects, each recognised, in order): real renders {report['real_relation']:.1%}; "
          + "; ".join(f"{language} templates {report[f'{language}_relation_templates']:.1%}, phrasings {report[f'{language}_relation_phrasings']:.1%}" for language in ("en", "zh")))
    for language in ("en", "zh"):
        for entry in report[f"{language}_by_template"]:
            print(f"  {entry['example']}: " + ", ".join(f"{check} {entry[check]:.0%}" for check in CHECKS))


if __name__ == "__main__":
    main()
