"""The `codetune` command: argument parsing and printing only; the work happens in `pipeline.build`.

With `--start-method forkserver` (the default off Linux) every local build worker runs the `codetune` script
again as `__mp_main__`, so this module imports only what parsing needs; commands import their machinery
when they run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from codetune.ecosystem import SUBSETS, Ecosystem
from codetune.errors import CodetuneError
from codetune.registry import (
    DEFAULT_ECOSYSTEM,
    adhoc_ecosystem,
    is_ecosystem_reference,
    load_ecosystem,
    registered_modules,
)


def _subsets(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in SUBSETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown subsets {unknown}; choose from {', '.join(SUBSETS)}")
    return names


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codetune", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser(
        "build",
        help="build an ecosystem's dataset (Parquet in the Hub layout + dataset card)",
        description="Build ECOSYSTEM (a registered name or a builder module / YAML path), or an ad-hoc "
        "ecosystem of PATH_OR_URL[@REV] sources. No argument builds the bundled example.",
    )
    build_parser.add_argument("targets", nargs="*", metavar="ECOSYSTEM | PATH_OR_URL[@REV]")
    build_parser.add_argument("--out", type=Path, help="output folder (default: out/<ecosystem name>)")
    build_parser.add_argument(
        "--subsets", type=_subsets, help=f"comma-separated configs (default: {','.join(SUBSETS)})"
    )
    build_parser.add_argument("--num-proc", type=_positive, default=1, help="parallel workers (default: 1)")
    build_parser.add_argument("--executor", choices=("local", "ray"), default="local")
    build_parser.add_argument(
        "--start-method",
        choices=("fork", "forkserver"),
        help="how local workers start (default: fork on Linux, forkserver elsewhere)",
    )
    build_parser.add_argument("--work-dir", type=Path, help="intermediate files (default: next to --out)")
    build_parser.add_argument(
        "--cache-dir", type=Path, default=None, help="git clone cache (default: ~/.cache/codetune)"
    )
    build_parser.add_argument("--overwrite", action="store_true", help="replace a different build in --out")
    build_parser.add_argument("--name", help="name of an ad-hoc ecosystem (default: adhoc)")
    build_parser.add_argument(
        "--allow-any-license",
        action="store_true",
        help="ad-hoc sources only: keep repositories whose license is unknown or outside the allowlist "
        "(your own code, say); check the licenses before you publish the result",
    )
    build_parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    build_parser.add_argument(
        "--skip-missing",
        action="store_true",
        help="skip (and list) sources whose repository or pinned commit is gone, instead of stopping",
    )

    commands.add_parser("list", help="list the registered ecosystems")
    add_push_parser(commands)
    add_discover_parser(commands)
    add_export_parsers(commands)
    add_eval_parser(commands)
    from codetune.label.command import add_label_parser

    add_label_parser(commands, _positive)
    return parser


def add_export_parsers(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export",
        help="merge a training run and write GGUF files, an Ollama Modelfile and a model card",
        description="RUN is a recipe's output_dir (a LoRA adapter or a full model). OUT gets merged/, one "
        "OUT_NAME-TYPE.gguf per --gguf type (llama.cpp's converter and quantizer), Modelfile and README.md.",
    )
    export.add_argument("run", type=Path, metavar="RUN")
    export.add_argument("--out", type=Path, required=True, help="the export folder")
    export.add_argument(
        "--gguf", default="f16,q8_0", help="GGUF types, e.g. f16,q8_0,q4_k_m (default: f16,q8_0)"
    )
    export.add_argument("--eval", type=Path, help="a `codetune eval` report.json for the model card")
    export.add_argument(
        "--license", default="other", help="the weights' license id for the card (the base's)"
    )
    export.add_argument("--num-ctx", type=_positive, help="Ollama's num_ctx (default: the model's, <= 4096)")
    export.add_argument("--overwrite", action="store_true", help="replace a non-empty OUT that is no export")

    serve = commands.add_parser(
        "serve", help="serve a GGUF with llama.cpp's OpenAI-compatible server (llama-cpp-python)"
    )
    serve.add_argument("gguf", type=Path, metavar="GGUF")
    serve.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (the server has no auth)")
    serve.add_argument("--port", type=_positive, default=8080)
    serve.add_argument("--n-ctx", type=_positive, default=2048, help="context length (default: 2048)")
    serve.add_argument("--alias", default="", help="model name clients send (default: the file's stem)")

    push = commands.add_parser("push-model", help="upload an export folder to a Hub model repository")
    push.add_argument("folder", type=Path, metavar="EXPORT")
    push.add_argument("repo", metavar="ORG/NAME")
    push.add_argument("--private", action="store_true", help="create the repository private")
    push.add_argument("--revision", metavar="BRANCH", help="push to this branch (created if missing)")


def run_export_command(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from codetune.export.serve import ServeOptions, serve

        return serve(ServeOptions(args.gguf, args.host, args.port, args.n_ctx, args.alias))
    if args.command == "push-model":
        from codetune.export.push import push_model

        url = push_model(args.folder, args.repo, private=args.private, revision=args.revision)
        print(f"pushed {args.folder} to {args.repo}: {url}")
        return 0
    from codetune.export.exporter import ExportOptions, export_model

    options = ExportOptions(
        args.run, args.out, args.gguf, args.overwrite, args.eval, args.license, args.num_ctx
    )
    result = export_model(options)
    print(f"export: {result.out_dir}")
    print(f"  merged model: {result.merged_dir}")
    for gguf in result.gguf_files:
        print(
            f"  {gguf.path.name}: {gguf.size_bytes / 1e6:.1f} MB, loads in llama.cpp ({gguf.n_vocab} tokens)"
        )
    print(f"  Modelfile: {result.modelfile}  (ollama create NAME -f {result.modelfile})")
    print(f"  model card: {result.card}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def add_eval_parser(commands: argparse._SubParsersAction) -> None:
    from codetune.eval import FAMILIES as families

    evaluate = commands.add_parser(
        "eval",
        help="evaluate models on a build's test split with lm-evaluation-harness; write a comparison report",
        description="Write lm-eval tasks for DATASET's test split (held-out repositories), run every --model "
        "through lm-eval and write report.md, report.json, charts, samples/ and tasks/ into --out.",
    )
    evaluate.add_argument("dataset", metavar="DATASET", help="a `codetune build` output folder or Hub id")
    evaluate.add_argument(
        "--model",
        action="append",
        required=True,
        help="Hub id, model folder, PEFT adapter folder or server URL (http://host:port/v1); repeatable, "
        "the first is the baseline of the deltas",
    )
    evaluate.add_argument("--name", action="append", default=[], help="report name of each --model, in order")
    evaluate.add_argument("--out", type=Path, required=True, help="output folder")
    evaluate.add_argument("--backend", choices=("hf", "vllm", "openai"), default="hf")
    evaluate.add_argument(
        "--tokenizer",
        help="tokenizer folder or Hub id of the served models (for `codetune export` output: its merged/); "
        "bits per byte through a server needs it",
    )
    evaluate.add_argument(
        "--tasks",
        type=lambda value: tuple(name.strip() for name in value.split(",") if name.strip()),
        default=families,
        help=f"comma-separated metric families (default: all of {','.join(families)})",
    )
    evaluate.add_argument("--limit", type=_positive, help="at most this many rows per task")
    evaluate.add_argument("--batch-size", type=_positive, default=8)
    evaluate.add_argument("--max-new-tokens", type=_positive, default=256)
    evaluate.add_argument("--seed", type=int, default=1234)
    evaluate.add_argument(
        "--ecosystem", help="ecosystem definition for the deprecated-API table (default: the build's own)"
    )
    evaluate.add_argument(
        "--humaneval-samples",
        type=_positive,
        default=1,
        help="samples per HumanEval problem: pass@k for k <= n (1: greedy pass@1)",
    )
    evaluate.add_argument(
        "--allow-unsandboxed-exec",
        action="store_true",
        help="run generated code (HumanEval) even where no network namespace can isolate it",
    )


def run_eval(args: argparse.Namespace) -> int:
    from codetune.eval.report import write_report
    from codetune.eval.runner import EvalOptions
    from codetune.eval.runner import run_eval as evaluate

    options = EvalOptions(
        dataset=args.dataset,
        models=tuple(args.model),
        names=tuple(args.name),
        out_dir=args.out,
        backend=args.backend,
        families=args.tasks,
        limit=args.limit,
        batch_size=args.batch_size,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
        ecosystem=args.ecosystem,
        allow_unsandboxed_exec=args.allow_unsandboxed_exec,
        humaneval_samples=args.humaneval_samples,
        tokenizer=args.tokenizer,
    )
    report = write_report(evaluate(options))
    print(report.read_text())
    print(f"report: {report}")
    return 0


def add_discover_parser(commands: argparse._SubParsersAction) -> None:
    from codetune.discover.github_api import DEFAULT_API_URL, TOKEN_ENV

    discover = commands.add_parser(
        "discover",
        help="search GitHub for repositories and pin them into a lock file",
        description="Search GitHub's repository search API, pin each result's default branch to its "
        f"current commit and write a lock file. The token is read from {TOKEN_ENV}. A killed run resumes "
        "when started again with the same query.",
    )
    discover.add_argument("--language", help="e.g. gdscript, rust, typescript")
    discover.add_argument("--license", help="GitHub license key, e.g. mit, apache-2.0")
    discover.add_argument("--min-stars", type=int, help="at least this many stars")
    discover.add_argument("--pushed-after", metavar="YYYY-MM-DD", help="pushed to on or after this date")
    discover.add_argument("--topic", action="append", default=[], help="required topic (repeatable)")
    discover.add_argument("--org", action="append", default=[], help="organisation or user (repeatable)")
    discover.add_argument("--limit", type=_positive, help="at most this many repositories (GitHub: 1000)")
    discover.add_argument("--out", type=Path, required=True, help="the lock file to write")
    discover.add_argument(
        "--api-url", default=DEFAULT_API_URL, help=f"GitHub API base URL (default: {DEFAULT_API_URL})"
    )
    discover.add_argument(
        "--max-wait", type=float, default=3600.0, help="longest rate-limit wait in seconds (default: 3600)"
    )


def add_push_parser(commands: argparse._SubParsersAction) -> None:
    push = commands.add_parser(
        "push",
        help="upload a finished build (every config and the dataset card) to a Hub dataset repository",
        description="Upload OUT to the Hugging Face Hub dataset repository --repo in one commit. The token "
        "comes from HF_TOKEN or the huggingface_hub login (`hf auth login`) and is never written anywhere.",
    )
    push.add_argument("out", type=Path, metavar="OUT", help="a folder written by `codetune build`")
    push.add_argument("--repo", required=True, metavar="ORG/NAME", help="the dataset repository")
    push.add_argument("--private", action="store_true", help="create the repository private")
    push.add_argument("--revision", metavar="BRANCH", help="push to this branch (created if missing)")


def run_push(args: argparse.Namespace) -> int:
    from codetune.hub.push import push_dataset

    url = push_dataset(args.out, args.repo, private=args.private, revision=args.revision)
    print(f"pushed {args.out} to {args.repo}: {url}")
    print(f'load it with: load_dataset("{args.repo}", CONFIG)')
    return 0


def resolve_ecosystem(targets: list[str], name: str | None, allow_any_license: bool = False) -> Ecosystem:
    if not targets or (len(targets) == 1 and is_ecosystem_reference(targets[0])):
        if allow_any_license:
            raise CodetuneError(
                "--allow-any-license applies to ad-hoc sources only; in an ecosystem definition, "
                "set allow_license=True on the sources you vouch for"
            )
        return load_ecosystem(targets[0] if targets else DEFAULT_ECOSYSTEM)
    return adhoc_ecosystem(targets, name=name or "adhoc", allow_any_license=allow_any_license)


def run_build(args: argparse.Namespace) -> int:
    import dataclasses

    from codetune.build.pipeline import BuildOptions, build, default_cache_dir

    ecosystem = resolve_ecosystem(args.targets, args.name, args.allow_any_license)
    if args.subsets:
        ecosystem = dataclasses.replace(ecosystem, subsets=args.subsets)
    options = BuildOptions(
        out_dir=args.out or Path("out") / ecosystem.name,
        work_dir=args.work_dir,
        num_proc=args.num_proc,
        executor=args.executor,
        start_method=args.start_method,
        overwrite=args.overwrite,
        cache_dir=args.cache_dir or default_cache_dir(),
        progress=not args.no_progress,
        skip_missing=args.skip_missing,
    )
    result = build(ecosystem, options)
    print(result.summary.render())
    print()
    print(f"dataset: {result.out_dir}  (load_dataset({str(result.out_dir)!r}, CONFIG))")
    print(f"work dir and logs: {result.work_dir}")
    return 0


def run_discover(args: argparse.Namespace) -> int:
    from codetune.discover.discovery import SearchQuery, discover
    from codetune.discover.github_api import GitHubApiSettings

    query = SearchQuery(
        language=args.language,
        license=args.license,
        min_stars=args.min_stars,
        pushed_after=args.pushed_after,
        topics=tuple(args.topic),
        orgs=tuple(args.org),
        limit=args.limit,
    )
    result = discover(query, args.out, GitHubApiSettings(api_url=args.api_url, max_wait_s=args.max_wait))
    resumed = " (resumed)" if result.resumed else ""
    print(f"search: {result.lock.query}{resumed}")
    print(f"pinned {len(result.lock.repositories)} repositories into {result.path}")
    for repository, reason in sorted(result.skipped.items()):
        print(f"  left out {repository}: {reason}")
    if result.incomplete_results:
        print("note: GitHub reported incomplete results (its search timed out); run again to check")
    return 0


def run_list() -> int:
    from codetune.registry import load_ecosystem as load

    for name in registered_modules():
        ecosystem = load(name)
        print(f"{name}: {ecosystem.description.splitlines()[0] if ecosystem.description else ''}")
        print(f"  subsets: {', '.join(ecosystem.subsets)}")
        for attribute in ecosystem.repository_attributes:
            kept = f" (kept: {', '.join(attribute.keep)})" if attribute.keep else ""
            print(f"  column {attribute.name} from {attribute.marker}{kept}")
        for source in ecosystem.sources:
            revision = f"@{source.revision}" if source.revision else ""
            split = f" [{source.split}]" if source.split else ""
            print(f"  - {source.display_name} ({source.role}){split}: {source.location}{revision}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    try:
        if args.command == "build":
            return run_build(args)
        if args.command == "discover":
            return run_discover(args)
        if args.command == "push":
            return run_push(args)
        if args.command in ("export", "serve", "push-model"):
            return run_export_command(args)
        if args.command == "eval":
            return run_eval(args)
        if args.command == "label":
            from codetune.label.command import run_label_command

            return run_label_command(args)
        return run_list()
    except CodetuneError as error:
        print(f"codetune: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
