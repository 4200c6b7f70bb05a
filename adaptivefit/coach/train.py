"""Train the coach's message model from the command line: `python -m adaptivefit.coach.train`
(or `adaptivefit-train`). The run itself is `coach.trainer.train`."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from adaptivefit.coach.dataset import DEFAULT_EVAL_SHARE, DEFAULT_SEED
from adaptivefit.coach.evaluation import EVAL_SAMPLES, MAX_PERPLEXITY, MIN_ACTION_MATCH, MIN_FORMAT_PASS
from adaptivefit.coach.trainer import DEFAULT_MINUTES, train
from adaptivefit.coach.versions import read_metadata


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adaptivefit-train",
        description="Train the coach's message model into <out>/v<timestamp>/ and print its metrics.",
    )
    parser.add_argument("--out", help="where versions go (default: COACH_MODEL_DIR, var/coach-models)")
    parser.add_argument("--minutes", type=float, help=f"training time budget (default {DEFAULT_MINUTES:g} "
                                                      "unless --steps is given)")
    parser.add_argument("--steps", type=int, help="optimizer steps (with --minutes: whichever ends first)")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--positions", type=int, default=128, help="context length (default 128)")
    parser.add_argument("--base", help="a local GPT-2-family model directory to fine-tune (default: COACH_BASE_MODEL)")
    parser.add_argument("--scratch", action="store_true", help="train from scratch even if COACH_BASE_MODEL is set")
    parser.add_argument("--knowledge", nargs="+", default=[], metavar="FILE.jsonl",
                        help="knowledge-base records to mix in (a minority of the lines)")
    parser.add_argument("--phrases", help="a phrase file to use instead of the shipped one")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--eval-share", type=float, default=DEFAULT_EVAL_SHARE)
    parser.add_argument("--min-pass", type=float, default=MIN_FORMAT_PASS,
                        help=f"format_pass a version needs to pass (default {MIN_FORMAT_PASS})")
    parser.add_argument("--max-perplexity", type=float, default=MAX_PERPLEXITY,
                        help=f"held-out perplexity a version must not exceed (default {MAX_PERPLEXITY:g})")
    parser.add_argument("--min-action-match", type=float, default=MIN_ACTION_MATCH,
                        help=f"action_match a version needs to pass (default {MIN_ACTION_MATCH})")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, help="peak learning rate (default 2e-3 from scratch, 3e-4 from a base)")
    parser.add_argument("--dropout", type=float, default=0.1, help="dropout of a model trained from scratch")
    parser.add_argument("--vocab-size", type=int, default=6000, help="BPE vocabulary when training from scratch")
    parser.add_argument("--control-tokens", choices=("special", "plain"), default="special",
                        help="control codes as single special tokens (default) or as plain text")
    parser.add_argument("--eval-samples", type=int, default=EVAL_SAMPLES)
    parser.add_argument("--threads", default="auto",
                        help="torch threads: a number, or auto (default: 1 or 2, whichever trains faster now)")
    parser.add_argument("--if-changed", action="store_true",
                        help="do nothing when the newest version was trained on the same data")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        path = train(
            args.out, minutes=args.minutes, steps=args.steps, layers=args.layers, width=args.width,
            heads=args.heads, n_positions=args.positions, base=None if args.scratch else args.base,
            use_settings_base=not args.scratch, knowledge=args.knowledge, phrases=args.phrases, seed=args.seed,
            eval_share=args.eval_share, min_pass=args.min_pass, max_perplexity=args.max_perplexity,
            min_action_match=args.min_action_match,
            batch_size=args.batch_size, lr=args.lr, dropout=args.dropout, vocab_size=args.vocab_size,
            control_mode=args.control_tokens, eval_samples=args.eval_samples, threads=args.threads,
            if_changed=args.if_changed, progress=not args.quiet,
        )
    except (ValueError, OSError) as exc:
        print(f"adaptivefit-train: {exc}", file=sys.stderr)
        return 2
    meta = read_metadata(path)
    m = meta["metrics"]
    print(f"{path}\n  lines {meta['n_lines']} (train {meta['n_train']}, eval {meta['n_eval']}), "
          f"{meta['steps']} steps in {meta['train_seconds']:.0f} s\n"
          f"  eval loss {m['eval_loss']}, perplexity {m['perplexity']}, format_pass {m['format_pass']}, "
          f"guardrails_pass {m['guardrails_pass']}, action_match {m['action_match']}\n  passed: {meta['passed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
