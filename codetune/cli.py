"""The `codetune` command: argument parsing and printing only; the work happens in `pipeline.build`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from codetune.ecosystem import SUBSETS, Ecosystem
from codetune.errors import CodetuneError
from codetune.pipeline import BuildOptions, build, default_cache_dir
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
    build_parser.add_argument("--work-dir", type=Path, help="intermediate files (default: next to --out)")
    build_parser.add_argument(
        "--cache-dir", type=Path, default=None, help="git clone cache (default: ~/.cache/codetune)"
    )
    build_parser.add_argument("--overwrite", action="store_true", help="replace a different build in --out")
    build_parser.add_argument("--name", help="name of an ad-hoc ecosystem (default: adhoc)")
    build_parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    commands.add_parser("list", help="list the registered ecosystems")
    return parser


def resolve_ecosystem(targets: list[str], name: str | None) -> Ecosystem:
    if not targets:
        return load_ecosystem(DEFAULT_ECOSYSTEM)
    if len(targets) == 1 and is_ecosystem_reference(targets[0]):
        return load_ecosystem(targets[0])
    return adhoc_ecosystem(targets, name=name or "adhoc")


def run_build(args: argparse.Namespace) -> int:
    import dataclasses

    ecosystem = resolve_ecosystem(args.targets, args.name)
    if args.subsets:
        ecosystem = dataclasses.replace(ecosystem, subsets=args.subsets)
    options = BuildOptions(
        out_dir=args.out or Path("out") / ecosystem.name,
        work_dir=args.work_dir,
        num_proc=args.num_proc,
        executor=args.executor,
        overwrite=args.overwrite,
        cache_dir=args.cache_dir or default_cache_dir(),
        progress=not args.no_progress,
    )
    result = build(ecosystem, options)
    print(result.summary.render())
    print()
    print(f"dataset: {result.out_dir}  (load_dataset({str(result.out_dir)!r}, CONFIG))")
    print(f"work dir and logs: {result.work_dir}")
    return 0


def run_list() -> int:
    from codetune.registry import load_ecosystem as load

    for name in registered_modules():
        ecosystem = load(name)
        print(f"{name}: {ecosystem.description.splitlines()[0] if ecosystem.description else ''}")
        print(f"  subsets: {', '.join(ecosystem.subsets)}")
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
        return run_list()
    except CodetuneError as error:
        print(f"codetune: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
