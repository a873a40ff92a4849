"""Synthetic multi-language repositories for benchmarks.

Benchmarks must run offline and be repeatable, so instead of cloning real
repositories we write plausible ones from templates: Python, TypeScript, Rust,
GDScript and Go sources plus Markdown docs. Identifiers, doc comments, function
lengths and nesting are randomised so that files are distinct and tree-sitter
spends about as long on them as on real code. Everything is driven by one seeded
``random.Random``, so a seed always gives byte-identical output.

Usage: ``python -m benchmarks.corpus OUT --mb 10``.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

Words = tuple[str, ...]


def _words(text: str) -> list[str]:
    return text.split()


# Word pools. None of these may be a keyword in any generated language, because
# single nouns are used as bare variable names.
NOUNS = _words(
    """
account address amount artifact asset avatar balance batch block buffer bucket cache camera
channel chunk client collider column config contract counter cursor dataset deposit digest enemy
entity entry epoch event feature file frame handle header inventory item job key label layer
ledger level limit lock message metric model node offset order owner packet page parcel path
payload peer pipeline player pool port quest queue record region reply report request result
reward route row sample scene schema score session shard signer slot source span spawn sprite
stage state stream table target task texture tile timer token topic total track tree tween user
value vault vector wallet weapon weight window worker workflow
"""
)
VERBS = _words(
    """
apply attach build check clamp collect compress compute convert count create decode detach drain
emit encode ensure expand fetch fill find flush format handle load merge normalize parse prepare
publish read rebuild refresh register release remove render reset resolve restore sanitize save
schedule scan send serialize sort spawn split store sync tally track transform trim update
validate verify write
"""
)
ADJECTIVES = _words(
    """
active cached current dirty empty expired fresh hidden idle initial inner last latest local max
min next old outer parsed pending primary raw recent remote safe shared signed stale temp valid
visible
"""
)
TYPE_SUFFIXES = _words("manager service store handler config state builder client registry cache index")

DOC_FIRST = [
    "{V3} the {a} {n} for the given {n2}.",
    "Returns the {a} {ns} that belong to this {n2}.",
    "{V3} every {n} in the {n2} and returns how many changed.",
    "Builds a {n} from the {n2} and caches the result.",
    "{V3} the {n} and falls back to the {a} {n2} when it is missing.",
    "Checks that the {n} is {a} before it reaches the {n2}.",
    "{V3} {ns} in batches so the {n2} never blocks for long.",
    "Looks up the {n} by {n2} and {v3} it.",
    "Merges the {a} {ns} into a single {n2}.",
    "{V3} the {n2} after the {n} changes.",
    "Creates a {a} {n} and registers it with the {n2}.",
    "{V3} the {n} in place; the {n2} is left untouched.",
]
DOC_EXTRA = [
    "Call this once per {n}; it is cheap but not free.",
    "Raises an error when the {n} is missing or {a}.",
    "The {n2} must already be {a}.",
    "Keeps the {a} {n} in sync with the {n2}.",
    "Safe to call from several workers at once.",
    "Does nothing when the {n} is empty.",
    "The result is sorted by {n2}.",
    "Prefer this over reading the {n} directly, which skips validation.",
    "Large {ns} are split before they reach the {n2}.",
]
COMMENTS = [
    "Keep the {a} {n} in sync with the {n2}.",
    "TODO: handle {a} {ns} here.",
    "NOTE: the {n2} may be empty on the first run.",
    "Skip {ns} that are already {a}.",
    "{V} the {n} before touching the {n2}.",
    "Fast path: nothing to do for a {a} {n}.",
    "Retry once; the {n2} is sometimes {a}.",
    "The {n} is usually small, so a linear scan is fine.",
]
PROSE = [
    "The {n} is the unit of work here: each one is {v3}ed by exactly one {n2}.",
    "When a {n} is {a}, the {n2} skips it and moves on to the next one.",
    "You rarely need to {v} the {n} yourself; the {n2} does it on startup.",
    "Every {n2} keeps a list of {a} {ns}, refreshed whenever the {n} changes.",
    "Set the {n} limit in the config if the default is too small for your {n2}.",
    "This section shows how to {v} a {n} and what happens to the {a} {ns}.",
    "Most projects only need the {a} {n}; the others exist for large {ns}.",
    "Errors are reported per {n}, so one bad {n2} does not stop the whole batch.",
]

TYPE_KEYS = ["int", "float", "str", "bool", "list", "map"]
ARITH = ["+", "-", "*", "+", "-"]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _third(verb: str) -> str:
    """Third person singular, for docs like "Loads the ledger"."""
    return _plural(verb)


def snake(words: Words) -> str:
    return "_".join(words)


def camel(words: Words) -> str:
    return words[0] + "".join(w.capitalize() for w in words[1:])


def pascal(words: Words) -> str:
    return "".join(w.capitalize() for w in words)


def upper(words: Words) -> str:
    return "_".join(words).upper()


def ind(lines: list[str], unit: str) -> list[str]:
    return [unit + line if line else line for line in lines]


class Vocab:
    """Word pools for one file, biased to a few topic nouns like real modules are."""

    def __init__(self, rng: random.Random, topic: list[str]) -> None:
        self.rng = rng
        self.nouns = rng.sample(topic, k=min(len(topic), rng.randint(6, 12)))

    def noun(self) -> str:
        return self.rng.choice(self.nouns) if self.rng.random() < 0.8 else self.rng.choice(NOUNS)

    def var_words(self) -> Words:
        if self.rng.random() < 0.55:
            return (self.noun(),)
        return (self.rng.choice(ADJECTIVES), self.noun())

    def fn_words(self) -> Words:
        verb = self.rng.choice(VERBS)
        if self.rng.random() < 0.7:
            return (verb, self.noun())
        return (verb, self.rng.choice(ADJECTIVES), self.noun())

    def type_words(self) -> Words:
        r = self.rng.random()
        if r < 0.25:
            return (self.noun(),)
        if r < 0.5:
            return (self.rng.choice(ADJECTIVES), self.noun())
        if r < 0.7:
            return (self.noun(), self.noun())
        return (self.noun(), self.rng.choice(TYPE_SUFFIXES))

    def phrase(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return f"{self.rng.choice(VERBS)} {self.noun()}"
        if r < 0.7:
            return f"{self.rng.choice(ADJECTIVES)} {self.noun()}"
        return f"failed to {self.rng.choice(VERBS)} {self.noun()}"

    def fill(self, template: str) -> str:
        rng = self.rng
        verb = rng.choice(VERBS)
        n, n2 = self.noun(), self.noun()
        return template.format(
            V=verb.capitalize(),
            v=verb,
            V3=_third(verb).capitalize(),
            v3=_third(verb),
            n=n,
            n2=n2,
            ns=_plural(n),
            a=rng.choice(ADJECTIVES),
        )

    def doc(self) -> list[str]:
        lines = [self.fill(self.rng.choice(DOC_FIRST))]
        while self.rng.random() < 0.35 and len(lines) < 4:
            lines.append(self.fill(self.rng.choice(DOC_EXTRA)))
        return lines

    def comment(self) -> str:
        return self.fill(self.rng.choice(COMMENTS))


@dataclass
class FnSpec:
    """A rendered-name description of one function, handed to a dialect to print."""

    name: str
    params: list[tuple[str, str]]
    ret: str | None
    doc: list[str]
    body: list[str]
    owner: str | None = None
    is_async: bool = False
    public: bool = True
    decorators: list[str] = field(default_factory=list)


class Dialect:
    """Language-specific spelling of the statements and expressions the generator emits."""

    ext = ""
    indent = "    "
    comment_prefix = "//"
    cmp_ops: ClassVar[list[str]] = ["==", "!=", "<", ">", "<=", ">="]
    types: ClassVar[dict[str, str]] = {}

    def var(self, w: Words) -> str:
        return snake(w)

    def fn(self, w: Words, public: bool = True) -> str:
        return snake(w)

    def typ(self, w: Words) -> str:
        return pascal(w)

    def fieldname(self, w: Words) -> str:
        return snake(w)

    def const(self, w: Words) -> str:
        return upper(w)

    def self_ref(self, owner: str | None) -> str:
        return "self"

    def member(self, self_ref: str, name: str) -> str:
        return f"{self_ref}.{name}"

    def num(self, rng: random.Random) -> str:
        if rng.random() < 0.8:
            return str(rng.choice([0, 1, 2, 3, 5, 8, 10, 16, 32, 64, 100, 256, 1000, rng.randint(0, 5000)]))
        return f"{rng.randint(0, 99)}.{rng.randint(0, 99)}"

    def string(self, text: str) -> str:
        return f'"{text}"'

    def and_(self, a: str, b: str) -> str:
        return f"{a} && {b}"

    def or_(self, a: str, b: str) -> str:
        return f"{a} || {b}"

    def not_(self, a: str) -> str:
        return f"!{a}"

    def length(self, a: str) -> str:
        return f"{a}.len()"

    def is_empty(self, a: str) -> str:
        return f"{a}.is_empty()"

    def is_null(self, a: str) -> str:
        return f"{a} == null"

    def call(self, f: str, args: list[str]) -> str:
        return f"{f}({', '.join(args)})"

    def method(self, obj: str, name: str, args: list[str]) -> str:
        return f"{obj}.{name}({', '.join(args)})"

    def list_lit(self, items: list[str]) -> str:
        return f"[{', '.join(items)}]"

    def fmt(self, text: str, value: str) -> str:
        raise NotImplementedError

    def idiom(self, rng: random.Random, coll: str, vocab: Vocab) -> str:
        raise NotImplementedError

    def let(self, name: str, expr: str, rng: random.Random) -> str:
        raise NotImplementedError

    def aug(self, name: str, op: str, expr: str) -> str:
        return f"{name} {op}= {expr}"

    def assign(self, target: str, expr: str) -> str:
        return f"{target} = {expr}"

    def stmt(self, expr: str) -> str:
        return expr

    def ret(self, expr: str) -> str:
        return f"return {expr}"

    def ret_value(self, key: str, expr: str) -> str:
        return expr

    def log(self, text: str, value: str, rng: random.Random) -> str:
        raise NotImplementedError

    def comment(self, text: str) -> str:
        return f"{self.comment_prefix} {text}"

    def if_(self, cond: str, then: list[str], else_: list[str] | None) -> list[str]:
        raise NotImplementedError

    def for_(self, var: str, it: str, body: list[str]) -> list[str]:
        raise NotImplementedError

    def while_(self, cond: str, body: list[str]) -> list[str]:
        raise NotImplementedError

    def try_(self, value: str, call: str, body: list[str], handler: list[str], err_log: str) -> list[str]:
        raise NotImplementedError

    def switch(self, subject: str, cases: list[tuple[str, list[str]]], default: list[str]) -> list[str]:
        raise NotImplementedError

    def function(self, spec: FnSpec) -> list[str]:
        raise NotImplementedError


class BraceDialect(Dialect):
    """Shared block layout of the curly-brace languages."""

    cond_wrap = "{}"

    def semi(self, line: str) -> str:
        return line + ";"

    def if_(self, cond: str, then: list[str], else_: list[str] | None) -> list[str]:
        u = self.indent
        out = [f"if {self.cond_wrap.format(cond)} {{", *ind(then, u)]
        if else_:
            out += ["} else {", *ind(else_, u)]
        out.append("}")
        return out

    def while_(self, cond: str, body: list[str]) -> list[str]:
        return [f"while {self.cond_wrap.format(cond)} {{", *ind(body, self.indent), "}"]


class IndentDialect(Dialect):
    """Shared block layout of the indentation-based languages."""

    comment_prefix = "#"

    def and_(self, a: str, b: str) -> str:
        return f"{a} and {b}"

    def or_(self, a: str, b: str) -> str:
        return f"{a} or {b}"

    def not_(self, a: str) -> str:
        return f"not {a}"

    def let(self, name: str, expr: str, rng: random.Random) -> str:
        return f"{name} = {expr}"

    def if_(self, cond: str, then: list[str], else_: list[str] | None) -> list[str]:
        u = self.indent
        out = [f"if {cond}:", *ind(then, u)]
        if else_:
            out += ["else:", *ind(else_, u)]
        return out

    def for_(self, var: str, it: str, body: list[str]) -> list[str]:
        return [f"for {var} in {it}:", *ind(body, self.indent)]

    def while_(self, cond: str, body: list[str]) -> list[str]:
        return [f"while {cond}:", *ind(body, self.indent)]


class Python(IndentDialect):
    ext = ".py"
    types: ClassVar[dict[str, str]] = {
        "int": "int",
        "float": "float",
        "str": "str",
        "bool": "bool",
        "list": "list[str]",
        "map": "dict[str, int]",
    }

    def length(self, a: str) -> str:
        return f"len({a})"

    def is_empty(self, a: str) -> str:
        return f"not {a}"

    def is_null(self, a: str) -> str:
        return f"{a} is None"

    def fmt(self, text: str, value: str) -> str:
        return f'f"{text}: {{{value}}}"'

    def idiom(self, rng: random.Random, coll: str, vocab: Vocab) -> str:
        item = vocab.noun()
        return rng.choice(
            [
                f"[{item} for {item} in {coll} if {item}]",
                f"sorted({coll}, reverse=True)",
                f"sum(len(str({item})) for {item} in {coll})",
                f'", ".join(str({item}) for {item} in {coll})',
                f"list({coll})[:{rng.randint(2, 50)}]",
                f'{coll}.get("{vocab.noun()}", {rng.randint(0, 9)})',
                f"{{key: value for key, value in {coll}.items() if value}}",
                f"max({coll}, default=0)",
            ]
        )

    def log(self, text: str, value: str, rng: random.Random) -> str:
        level = rng.choice(["debug", "info", "info", "warning"])
        return f'logger.{level}("{text} %s", {value})'

    def try_(self, value: str, call: str, body: list[str], handler: list[str], err_log: str) -> list[str]:
        u = self.indent
        return [
            "try:",
            f"{u}{value} = {call}",
            *ind(body, u),
            "except (KeyError, ValueError) as exc:",
            f'{u}logger.warning("{err_log}: %s", exc)',
            *ind(handler, u),
        ]

    def switch(self, subject: str, cases: list[tuple[str, list[str]]], default: list[str]) -> list[str]:
        u = self.indent
        out = [f"match {subject}:"]
        for label, body in cases:
            out += [f"{u}case {label}:", *ind(body, u + u)]
        out += [f"{u}case _:", *ind(default, u + u)]
        return out

    def function(self, spec: FnSpec) -> list[str]:
        params = ["self"] if spec.owner else []
        for name, key in spec.params:
            params.append(f"{name}: {self.types[key]}")
        ret = self.types[spec.ret] if spec.ret else "None"
        kw = "async def" if spec.is_async else "def"
        out = [*spec.decorators, f"{kw} {spec.name}({', '.join(params)}) -> {ret}:"]
        u = self.indent
        if len(spec.doc) == 1:
            out.append(f'{u}"""{spec.doc[0]}"""')
        elif spec.doc:
            out += [f'{u}"""{spec.doc[0]}', "", *[u + line for line in spec.doc[1:]]]
            if spec.params:
                out += ["", f"{u}Args:"]
                out += [f"{u}{u}{name}: The {name.replace('_', ' ')} to use." for name, _ in spec.params]
            out.append(f'{u}"""')
        return out + ind(spec.body, u)


class TypeScript(BraceDialect):
    ext = ".ts"
    indent = "  "
    cond_wrap = "({})"
    cmp_ops: ClassVar[list[str]] = ["===", "!==", "<", ">", "<=", ">="]
    types: ClassVar[dict[str, str]] = {
        "int": "number",
        "float": "number",
        "str": "string",
        "bool": "boolean",
        "list": "string[]",
        "map": "Record<string, number>",
    }

    def var(self, w: Words) -> str:
        return camel(w)

    def fn(self, w: Words, public: bool = True) -> str:
        return camel(w)

    def fieldname(self, w: Words) -> str:
        return camel(w)

    def self_ref(self, owner: str | None) -> str:
        return "this"

    def length(self, a: str) -> str:
        return f"{a}.length"

    def is_empty(self, a: str) -> str:
        return f"{a}.length === 0"

    def is_null(self, a: str) -> str:
        return f"{a} === undefined"

    def fmt(self, text: str, value: str) -> str:
        return f"`{text}: ${{{value}}}`"

    def idiom(self, rng: random.Random, coll: str, vocab: Vocab) -> str:
        item = camel((vocab.noun(),))
        prop = camel(vocab.var_words())
        return rng.choice(
            [
                f"{coll}.map(({item}) => {item}.{prop})",
                f"{coll}.filter(({item}) => {item} !== undefined)",
                f"Object.keys({coll}).length",
                f"[...{coll}].sort()",
                f"{coll}.reduce((acc, {item}) => acc + {item}.{prop}, 0)",
                f"{coll}?.{prop} ?? {rng.randint(0, 9)}",
                f"{coll}.slice(0, {rng.randint(2, 40)})",
                f'{coll}.join(", ")',
            ]
        )

    def let(self, name: str, expr: str, rng: random.Random) -> str:
        return f"{'let' if rng.random() < 0.3 else 'const'} {name} = {expr};"

    def aug(self, name: str, op: str, expr: str) -> str:
        return f"{name} {op}= {expr};"

    def assign(self, target: str, expr: str) -> str:
        return f"{target} = {expr};"

    def stmt(self, expr: str) -> str:
        return expr + ";"

    def ret(self, expr: str) -> str:
        return f"return {expr};"

    def log(self, text: str, value: str, rng: random.Random) -> str:
        level = rng.choice(["log", "debug", "warn"])
        return f'console.{level}("{text}", {value});'

    def for_(self, var: str, it: str, body: list[str]) -> list[str]:
        return [f"for (const {var} of {it}) {{", *ind(body, self.indent), "}"]

    def try_(self, value: str, call: str, body: list[str], handler: list[str], err_log: str) -> list[str]:
        u = self.indent
        return [
            "try {",
            f"{u}const {value} = {call};",
            *ind(body, u),
            "} catch (err) {",
            f'{u}console.error("{err_log}", err);',
            *ind(handler, u),
            "}",
        ]

    def switch(self, subject: str, cases: list[tuple[str, list[str]]], default: list[str]) -> list[str]:
        u = self.indent
        out = [f"switch ({subject}) {{"]
        for label, body in cases:
            out += [f"{u}case {label}: {{", *ind(body, u + u), f"{u}{u}break;", f"{u}}}"]
        out += [f"{u}default:", *ind(default, u + u), "}"]
        return out

    def function(self, spec: FnSpec) -> list[str]:
        params = ", ".join(f"{n}: {self.types[k]}" for n, k in spec.params)
        ret = self.types[spec.ret] if spec.ret else "void"
        if spec.is_async:
            ret = f"Promise<{ret}>"
        out: list[str] = []
        if spec.doc:
            out.append("/**")
            out += [f" * {line}" for line in spec.doc]
            if len(spec.doc) > 1:
                out += [f" * @param {n} - the {n} to use" for n, _ in spec.params]
            out.append(" */")
        body = ind(spec.body, self.indent)
        prefix = "async " if spec.is_async else ""
        if spec.owner:
            vis = "" if spec.public else "private "
            return [*out, f"{vis}{prefix}{spec.name}({params}): {ret} {{", *body, "}"]
        export = "export " if spec.public else ""
        if len(spec.name) % 3 == 0:
            arrow = f"{export}const {spec.name} = {prefix}({params}): {ret} => {{"
            return [*out, arrow, *body, "};"]
        return [*out, f"{export}{prefix}function {spec.name}({params}): {ret} {{", *body, "}"]


class Rust(BraceDialect):
    ext = ".rs"
    types: ClassVar[dict[str, str]] = {
        "int": "u64",
        "float": "f64",
        "str": "&str",
        "bool": "bool",
        "list": "&[String]",
        "map": "&HashMap<String, u64>",
    }
    ret_types: ClassVar[dict[str, str]] = {
        "int": "u64",
        "float": "f64",
        "str": "String",
        "bool": "bool",
        "list": "Vec<String>",
        "map": "HashMap<String, u64>",
    }

    def is_null(self, a: str) -> str:
        return f"{a}.is_none()"

    def call(self, f: str, args: list[str]) -> str:
        return f"{f}({', '.join(('&' + a) if a[0].isalpha() and len(a) % 4 == 0 else a for a in args)})"

    def list_lit(self, items: list[str]) -> str:
        return f"vec![{', '.join(items)}]"

    def fmt(self, text: str, value: str) -> str:
        return f'format!("{text}: {{}}", {value})'

    def idiom(self, rng: random.Random, coll: str, vocab: Vocab) -> str:
        item = vocab.noun()
        return rng.choice(
            [
                f"{coll}.iter().map(|{item}| {item}.len()).sum::<usize>()",
                f"{coll}.iter().filter(|{item}| !{item}.is_empty()).count()",
                f"{coll}.clone()",
                f"{coll}.first().cloned().unwrap_or_default()",
                f"{coll}.iter().cloned().collect::<Vec<_>>()",
                f'{coll}.get("{vocab.noun()}").copied().unwrap_or({rng.randint(0, 9)})',
                f"{coll}.iter().rev().take({rng.randint(2, 20)}).collect::<Vec<_>>()",
                f"{coll}.as_ref().map(|{item}| {item}.to_string())",
            ]
        )

    def let(self, name: str, expr: str, rng: random.Random) -> str:
        return f"let {'mut ' if rng.random() < 0.3 else ''}{name} = {expr};"

    def aug(self, name: str, op: str, expr: str) -> str:
        return f"{name} {op}= {expr};"

    def assign(self, target: str, expr: str) -> str:
        return f"{target} = {expr};"

    def stmt(self, expr: str) -> str:
        return expr + ";"

    def ret(self, expr: str) -> str:
        return expr if len(expr) % 3 else f"return {expr};"

    def ret_value(self, key: str, expr: str) -> str:
        return f"Ok({expr})" if key in ("int", "list") else expr

    def log(self, text: str, value: str, rng: random.Random) -> str:
        level = rng.choice(["debug", "info", "warn"])
        return f'log::{level}!("{text} {{}}", {value});'

    def for_(self, var: str, it: str, body: list[str]) -> list[str]:
        return [f"for {var} in {it}.iter() {{", *ind(body, self.indent), "}"]

    def try_(self, value: str, call: str, body: list[str], handler: list[str], err_log: str) -> list[str]:
        u = self.indent
        return [
            f"match {call} {{",
            f"{u}Ok({value}) => {{",
            *ind(body, u + u),
            f"{u}}}",
            f"{u}Err(err) => {{",
            f'{u}{u}log::warn!("{err_log}: {{}}", err);',
            *ind(handler, u + u),
            f"{u}}}",
            "}",
        ]

    def switch(self, subject: str, cases: list[tuple[str, list[str]]], default: list[str]) -> list[str]:
        u = self.indent
        out = [f"match {subject} {{"]
        for label, body in cases:
            out += [f"{u}{label} => {{", *ind(body, u + u), f"{u}}}"]
        out += [f"{u}_ => {{", *ind(default, u + u), f"{u}}}", "}"]
        return out

    def function(self, spec: FnSpec) -> list[str]:
        params = ["&mut self" if len(spec.name) % 4 == 0 else "&self"] if spec.owner else []
        params += [f"{n}: {self.types[k]}" for n, k in spec.params]
        ret = ""
        if spec.ret:
            ty = self.ret_types[spec.ret]
            ret = f" -> Result<{ty}, Error>" if spec.ret in ("int", "list") else f" -> {ty}"
        out = [f"/// {line}" for line in spec.doc]
        if len(spec.doc) > 2:
            out[2:2] = ["///", "/// # Errors", "///"]
        vis = "pub " if spec.public else ""
        kw = "async fn" if spec.is_async else "fn"
        out += [*spec.decorators, f"{vis}{kw} {spec.name}({', '.join(params)}){ret} {{"]
        return [*out, *ind(spec.body, self.indent), "}"]


class Go(BraceDialect):
    ext = ".go"
    indent = "\t"
    types: ClassVar[dict[str, str]] = {
        "int": "int",
        "float": "float64",
        "str": "string",
        "bool": "bool",
        "list": "[]string",
        "map": "map[string]int",
    }

    def var(self, w: Words) -> str:
        return camel(w)

    def fn(self, w: Words, public: bool = True) -> str:
        return pascal(w) if public else camel(w)

    def fieldname(self, w: Words) -> str:
        return pascal(w)

    def self_ref(self, owner: str | None) -> str:
        return (owner or "x")[0].lower()

    def length(self, a: str) -> str:
        return f"len({a})"

    def is_empty(self, a: str) -> str:
        return f"len({a}) == 0"

    def is_null(self, a: str) -> str:
        return f"{a} == nil"

    def list_lit(self, items: list[str]) -> str:
        return f"[]any{{{', '.join(items)}}}"

    def fmt(self, text: str, value: str) -> str:
        return f'fmt.Sprintf("{text}: %v", {value})'

    def idiom(self, rng: random.Random, coll: str, vocab: Vocab) -> str:
        return rng.choice(
            [
                f'strings.Join({coll}, ", ")',
                f"len({coll}) - {rng.randint(1, 9)}",
                f'fmt.Sprint("{vocab.noun()}", {coll})',
                f"strconv.Itoa(len({coll}))",
                f"{coll}[{rng.randint(0, 3)}]",
                f'{coll}["{vocab.noun()}"]',
                f"append({coll}, {coll}...)",
            ]
        )

    def let(self, name: str, expr: str, rng: random.Random) -> str:
        return f"{name} := {expr}"

    def log(self, text: str, value: str, rng: random.Random) -> str:
        return f'log.Printf("{text}: %v", {value})'

    def for_(self, var: str, it: str, body: list[str]) -> list[str]:
        return [f"for _, {var} := range {it} {{", *ind(body, self.indent), "}"]

    def while_(self, cond: str, body: list[str]) -> list[str]:
        return [f"for {cond} {{", *ind(body, self.indent), "}"]

    def try_(self, value: str, call: str, body: list[str], handler: list[str], err_log: str) -> list[str]:
        u = self.indent
        return [
            f"{value}, err := {call}",
            "if err != nil {",
            f'{u}log.Printf("{err_log}: %v", err)',
            *ind(handler, u),
            f'{u}return fmt.Errorf("{err_log}: %w", err)',
            "}",
            *body,
        ]

    def switch(self, subject: str, cases: list[tuple[str, list[str]]], default: list[str]) -> list[str]:
        out = [f"switch {subject} {{"]
        for label, body in cases:
            out += [f"case {label}:", *ind(body, self.indent)]
        return [*out, "default:", *ind(default, self.indent), "}"]

    def ret_value(self, key: str, expr: str) -> str:
        return f"{expr}, nil" if key in ("int", "list") else expr

    def function(self, spec: FnSpec) -> list[str]:
        params = ", ".join(f"{n} {self.types[k]}" for n, k in spec.params)
        ret = ""
        if spec.ret:
            ty = self.types[spec.ret]
            ret = f" ({ty}, error)" if spec.ret in ("int", "list") else f" {ty}"
        out = []
        if spec.doc:
            first = spec.doc[0]
            out.append(f"// {spec.name} {first[0].lower()}{first[1:]}")
            out += [f"// {line}" for line in spec.doc[1:]]
        recv = f"({self.self_ref(spec.owner)} *{spec.owner}) " if spec.owner else ""
        return [*out, f"func {recv}{spec.name}({params}){ret} {{", *ind(spec.body, self.indent), "}"]


class GDScript(IndentDialect):
    ext = ".gd"
    indent = "\t"
    types: ClassVar[dict[str, str]] = {
        "int": "int",
        "float": "float",
        "str": "String",
        "bool": "bool",
        "list": "Array",
        "map": "Dictionary",
    }

    def self_ref(self, owner: str | None) -> str:
        return ""

    def member(self, self_ref: str, name: str) -> str:
        return name

    def length(self, a: str) -> str:
        return f"{a}.size()"

    def fmt(self, text: str, value: str) -> str:
        return f'"{text}: %s" % {value}'

    def idiom(self, rng: random.Random, coll: str, vocab: Vocab) -> str:
        item = vocab.noun()
        return rng.choice(
            [
                f"{coll}.duplicate()",
                f"{coll}.filter(func({item}): return {item} != null)",
                f"{coll}.map(func({item}): return str({item}))",
                f'{coll}.get("{vocab.noun()}", {rng.randint(0, 9)})',
                f"{coll}.keys()",
                f"clampi({coll}.size(), 0, {rng.randint(4, 64)})",
                f"str({coll}).length()",
            ]
        )

    def let(self, name: str, expr: str, rng: random.Random) -> str:
        return f"var {name} = {expr}"

    def log(self, text: str, value: str, rng: random.Random) -> str:
        return rng.choice([f'print("{text}: ", {value})', f'push_warning("{text}: %s" % {value})'])

    def try_(self, value: str, call: str, body: list[str], handler: list[str], err_log: str) -> list[str]:
        u = self.indent
        return [
            f"var {value} = {call}",
            f"if {value} == null:",
            f'{u}push_error("{err_log}")',
            *ind(handler, u),
            "else:",
            *ind(body, u),
        ]

    def switch(self, subject: str, cases: list[tuple[str, list[str]]], default: list[str]) -> list[str]:
        u = self.indent
        out = [f"match {subject}:"]
        for label, body in cases:
            out += [f"{u}{label}:", *ind(body, u + u)]
        return [*out, f"{u}_:", *ind(default, u + u)]

    def function(self, spec: FnSpec) -> list[str]:
        params = ", ".join(f"{n}: {self.types[k]}" for n, k in spec.params)
        ret = self.types[spec.ret] if spec.ret else "void"
        static = "static " if not spec.owner and not spec.public else ""
        out = [f"## {line}" for line in spec.doc]
        return [*out, f"{static}func {spec.name}({params}) -> {ret}:", *ind(spec.body, self.indent)]


DIALECTS: dict[str, Dialect] = {
    "python": Python(),
    "typescript": TypeScript(),
    "rust": Rust(),
    "go": Go(),
    "gdscript": GDScript(),
}


class BodyGen:
    """Writes statement sequences for one function, tracking which names are in scope."""

    def __init__(
        self, rng: random.Random, vocab: Vocab, d: Dialect, callables: list[str], members: list[str]
    ) -> None:
        self.rng, self.vocab, self.d = rng, vocab, d
        self.callables = callables
        self.members = members

    def name_ref(self, scope: list[str]) -> str:
        if scope and (not self.members or self.rng.random() < 0.7):
            return self.rng.choice(scope)
        if self.members:
            return self.rng.choice(self.members)
        return self.call_expr(scope, 2)

    def atom(self, scope: list[str]) -> str:
        r = self.rng.random()
        if r < 0.6 and (scope or self.members):
            return self.name_ref(scope)
        if r < 0.85:
            return self.d.num(self.rng)
        return self.d.string(self.vocab.phrase())

    def call_expr(self, scope: list[str], depth: int) -> str:
        args = [self.expr(scope, depth + 1) for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3]))]
        return self.d.call(self.rng.choice(self.callables), args)

    def expr(self, scope: list[str], depth: int = 0) -> str:
        rng, d = self.rng, self.d
        r = rng.random()
        if depth >= 2 or r < 0.3:
            return self.atom(scope)
        if r < 0.48:
            return f"{self.atom(scope)} {rng.choice(ARITH)} {self.expr(scope, depth + 1)}"
        if r < 0.72 or not (scope or self.members):
            return self.call_expr(scope, depth)
        obj = self.name_ref(scope)
        if r < 0.84:
            name = d.fn(self.vocab.fn_words(), rng.random() < 0.5)
            args = [self.atom(scope) for _ in range(rng.choice([0, 1, 1, 2]))]
            return d.method(obj, name, args)
        if r < 0.93:
            return d.idiom(rng, obj, self.vocab)
        return d.fmt(self.vocab.phrase(), obj)

    def cond(self, scope: list[str]) -> str:
        rng, d = self.rng, self.d
        r = rng.random()
        a = self.name_ref(scope) if (scope or self.members) else self.call_expr(scope, 2)
        if r < 0.3:
            return f"{a} {rng.choice(d.cmp_ops)} {d.num(rng)}"
        if r < 0.45:
            return f"{d.length(a)} > {rng.randint(0, 10)}"
        if r < 0.6:
            return d.not_(self.call_expr(scope, 2))
        if r < 0.72:
            b = self.name_ref(scope) if scope else d.num(rng)
            return d.and_(f"{a} {rng.choice(d.cmp_ops)} {b}", d.not_(d.is_empty(a)))
        if r < 0.8:
            return d.or_(d.is_null(a), f"{d.length(a)} > {rng.randint(1, 99)}")
        if r < 0.9:
            return d.is_empty(a)
        return d.is_null(a)

    def fresh(self, scope: list[str]) -> str:
        for _ in range(4):
            name = self.d.var(self.vocab.var_words())
            if name not in scope:
                return name
        return name

    def simple(self, scope: list[str], last: bool = False) -> str:
        """One statement; `last` rules out a comment so no block is left with only comments."""
        rng, d = self.rng, self.d
        r = rng.random()
        if r < 0.36 or not scope:
            name = self.fresh(scope)
            line = d.let(name, self.expr(scope), rng)
            scope.append(name)
            return line
        if r < 0.5:
            return d.aug(rng.choice(scope), rng.choice(ARITH), self.expr(scope, 1))
        if r < 0.7:
            return d.stmt(self.call_expr(scope, 0))
        if r < 0.8 and self.members:
            return d.assign(rng.choice(self.members), self.expr(scope, 1))
        if r < 0.88:
            return d.log(self.vocab.phrase(), self.name_ref(scope), rng)
        if r < 0.94 and not last:
            return d.comment(self.vocab.comment())
        name = self.fresh(scope)
        line = d.let(name, d.idiom(rng, self.name_ref(scope), self.vocab), rng)
        scope.append(name)
        return line

    def block(self, budget: int, depth: int, scope: list[str]) -> list[str]:
        """Emits roughly `budget` lines; `scope` gains the block's top-level locals."""
        rng, d = self.rng, self.d
        out: list[str] = []
        while len(out) < budget:
            remaining = budget - len(out)
            if depth >= 3 or remaining < 4 or rng.random() > 0.32:
                out.append(self.simple(scope, last=remaining == 1))
                continue
            inner = rng.randint(1, min(remaining - 2, 10))
            r = rng.random()
            if r < 0.38:
                then = self.block(inner, depth + 1, list(scope))
                other = self.block(max(1, inner // 2), depth + 1, list(scope)) if rng.random() < 0.4 else None
                out += d.if_(self.cond(scope), then, other)
            elif r < 0.66:
                var = self.fresh(scope)
                coll = self.name_ref(scope)
                out += d.for_(var, coll, self.block(inner, depth + 1, [*scope, var]))
            elif r < 0.72:
                out += d.while_(self.cond(scope), self.block(inner, depth + 1, list(scope)))
            elif r < 0.87:
                value = self.fresh(scope)
                body = self.block(inner, depth + 1, [*scope, value])
                handler = self.block(rng.randint(1, 3), depth + 1, list(scope))
                call = self.call_expr(scope, 1)
                out += d.try_(value, call, body, handler, self.vocab.phrase())
            else:
                labels = rng.sample(range(0, 12), k=rng.randint(1, 3))
                cases = [(str(n), self.block(max(1, inner // 2), depth + 1, list(scope))) for n in labels]
                default = self.block(1, depth + 1, list(scope))
                out += d.switch(self.name_ref(scope), cases, default)
        return out


def _body_lines(rng: random.Random) -> int:
    """5-60 lines, skewed short the way real function lengths are."""
    return int(5 + 55 * rng.random() ** 2.2)


class FileGen:
    """State for writing one source file: vocabulary, known callables, running size."""

    def __init__(self, rng: random.Random, lang: str, topic: list[str], target: int) -> None:
        self.rng = rng
        self.lang = lang
        self.d = DIALECTS.get(lang, DIALECTS["python"])
        self.vocab = Vocab(rng, topic)
        self.target = target
        self.lines: list[str] = []
        self.size = 0
        self.callables = [self.d.fn(self.vocab.fn_words(), rng.random() < 0.5) for _ in range(5)]

    def emit(self, lines: list[str]) -> None:
        self.lines += lines
        self.size += sum(len(line) for line in lines) + len(lines)

    def full(self) -> bool:
        return self.size >= self.target

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def params(self) -> list[tuple[str, str]]:
        out: dict[str, str] = {}
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])):
            out[self.d.var(self.vocab.var_words())] = self.rng.choice(TYPE_KEYS)
        return list(out.items())

    def function(
        self,
        owner: str | None = None,
        members: list[str] | None = None,
        budget: int | None = None,
        doc_p: float = 0.6,
        public: bool | None = None,
    ) -> FnSpec:
        rng, d = self.rng, self.d
        if public is None:
            public = rng.random() < 0.7
        name = d.fn(self.vocab.fn_words(), public)
        params = self.params()
        ret = rng.choice([*TYPE_KEYS, None, None])
        scope = [p for p, _ in params]
        gen = BodyGen(rng, self.vocab, d, self.callables, members or [])
        body = gen.block(budget or _body_lines(rng), 0, scope)
        if ret:
            body.append(d.ret(d.ret_value(ret, gen.expr(scope, 1))))
        self.callables.append(name)
        doc = self.vocab.doc() if rng.random() < doc_p else []
        is_async = self.lang in ("typescript", "python") and rng.random() < 0.15
        return FnSpec(name, params, ret, doc, body, owner, is_async, public)


# --- per-language file layouts -------------------------------------------------------------------


def _python_file(g: FileGen) -> None:
    rng, v, d = g.rng, g.vocab, g.d
    g.emit([f'"""{v.fill(rng.choice(DOC_FIRST))}"""', "", "from __future__ import annotations", ""])
    imports = ["import logging", "import os"]
    imports += rng.sample(["import json", "import time", "import re", "import asyncio", "import math"], k=2)
    g.emit(
        [
            *sorted(imports),
            "from dataclasses import dataclass, field",
            "from typing import Any",
            "",
            f"from .{snake((v.noun(),))} import {', '.join(sorted(set(g.callables[:3])))}",
            "",
            "logger = logging.getLogger(__name__)",
            "",
        ]
    )
    g.emit([f"{d.const(v.var_words())} = {d.num(rng)}" for _ in range(rng.randint(1, 4))] + ["", ""])
    while not g.full():
        r = rng.random()
        if r < 0.35:
            cls = d.typ(v.type_words())
            fields = list(dict.fromkeys(d.var(v.var_words()) for _ in range(rng.randint(1, 4))))
            head = [f"class {cls}:" if rng.random() < 0.7 else f"class {cls}(Base{cls}):"]
            head.append(f'    """{v.fill(rng.choice(DOC_FIRST))}"""')
            init_params = ", ".join(f"{f}: {d.types[rng.choice(TYPE_KEYS)]}" for f in fields)
            head += ["", f"    def __init__(self, {init_params}) -> None:"]
            head += [f"        self.{f} = {f}" for f in fields]
            g.emit([*head, ""])
            members = [f"self.{f}" for f in fields]
            for _ in range(rng.randint(1, 6)):
                spec = g.function(cls, members)
                if rng.random() < 0.1:
                    spec.decorators = [rng.choice(["@property", "@staticmethod", "@functools.cache"])]
                g.emit([*ind(d.function(spec), "    "), ""])
                if g.full():
                    break
            g.emit([""])
        elif r < 0.45:
            cls = d.typ(v.type_words())
            out = ["@dataclass", f"class {cls}:", f'    """{v.fill(rng.choice(DOC_FIRST))}"""', ""]
            defaults = {"int": "0", "float": "0.0", "str": '""', "bool": "False"}
            defaults |= {"list": "field(default_factory=list)", "map": "field(default_factory=dict)"}
            for name in dict.fromkeys(d.var(v.var_words()) for _ in range(rng.randint(2, 6))):
                key = rng.choice(TYPE_KEYS)
                out.append(f"    {name}: {d.types[key]} = {defaults[key]}")
            g.emit([*out, "", ""])
        else:
            spec = g.function()
            if rng.random() < 0.1:
                spec.decorators = [rng.choice(["@functools.lru_cache(maxsize=128)", "@retry(times=3)"])]
            g.emit([*d.function(spec), "", ""])
    if rng.random() < 0.2:
        g.emit(['if __name__ == "__main__":', f"    {g.callables[-1]}()"])


def _typescript_file(g: FileGen) -> None:
    rng, v, d = g.rng, g.vocab, g.d
    module = "-".join(v.var_words())
    g.emit(
        [
            f'import {{ {", ".join(sorted(set(g.callables[:3])))} }} from "./{module}";',
            f'import type {{ {d.typ(v.type_words())} }} from "../types";',
            "",
        ]
    )
    g.emit([f"const {d.const(v.var_words())} = {d.num(rng)};" for _ in range(rng.randint(1, 3))] + [""])
    while not g.full():
        r = rng.random()
        if r < 0.3:
            cls = d.typ(v.type_words())
            fields = {d.fieldname(v.var_words()): rng.choice(TYPE_KEYS) for _ in range(rng.randint(1, 4))}
            out = [f"/** {v.fill(rng.choice(DOC_FIRST))} */", f"export class {cls} {{"]
            out += [f"  private {f}: {d.types[k]};" for f, k in fields.items()]
            ctor = ", ".join(f"{f}: {d.types[k]}" for f, k in fields.items())
            out += ["", f"  constructor({ctor}) {{", *[f"    this.{f} = {f};" for f in fields], "  }", ""]
            g.emit(out)
            members = [f"this.{f}" for f in fields]
            for _ in range(rng.randint(1, 6)):
                g.emit([*ind(d.function(g.function(cls, members)), "  "), ""])
                if g.full():
                    break
            g.emit(["}", ""])
        elif r < 0.42:
            name = d.typ(v.type_words())
            out = [f"/** {v.fill(rng.choice(DOC_FIRST))} */", f"export interface {name} {{"]
            for _ in range(rng.randint(2, 7)):
                opt = "?" if rng.random() < 0.3 else ""
                out.append(f"  {d.fieldname(v.var_words())}{opt}: {d.types[rng.choice(TYPE_KEYS)]};")
            g.emit([*out, "}", ""])
            if rng.random() < 0.4:
                members = " | ".join(f'"{v.noun()}"' for _ in range(rng.randint(2, 4)))
                g.emit([f"export type {d.typ(v.type_words())} = {members};", ""])
        else:
            g.emit([*d.function(g.function()), ""])


def _rust_file(g: FileGen) -> None:
    rng, v, d = g.rng, g.vocab, g.d
    g.emit([f"//! {v.fill(rng.choice(DOC_FIRST))}", "", "use std::collections::HashMap;"])
    g.emit([f"use crate::{snake((v.noun(),))}::{{{', '.join(sorted(set(g.callables[:3])))}}};", ""])
    g.emit(["#[derive(Debug)]", "pub struct Error(String);", ""])
    for _ in range(rng.randint(1, 3)):
        g.emit([f"pub const {d.const(v.var_words())}: u64 = {rng.randint(1, 5000)};"])
    g.emit([""])
    while not g.full():
        r = rng.random()
        if r < 0.4:
            name = d.typ(v.type_words())
            fields = {snake(v.var_words()): rng.choice(TYPE_KEYS) for _ in range(rng.randint(1, 5))}
            out = [f"/// {v.fill(rng.choice(DOC_FIRST))}", "#[derive(Debug, Clone, Default)]"]
            out.append(f"pub struct {name} {{")
            out += [f"    pub {f}: {d.ret_types[k]}," for f, k in fields.items()]
            out += ["}", "", f"impl {name} {{", f"    /// Creates a new `{name}`."]
            args = ", ".join(f"{f}: {d.ret_types[k]}" for f, k in fields.items())
            out += [
                f"    pub fn new({args}) -> Self {{",
                f"        Self {{ {', '.join(fields)} }}",
                "    }",
                "",
            ]
            g.emit(out)
            members = [f"self.{f}" for f in fields]
            for _ in range(rng.randint(1, 6)):
                g.emit([*ind(d.function(g.function(name, members)), "    "), ""])
                if g.full():
                    break
            g.emit(["}", ""])
        elif r < 0.5:
            name = d.typ(v.type_words())
            out = [f"/// {v.fill(rng.choice(DOC_FIRST))}", "#[derive(Debug, Clone, PartialEq)]"]
            out.append(f"pub enum {name} {{")
            variants = list(dict.fromkeys(pascal(v.var_words()) for _ in range(rng.randint(2, 6))))
            for i, var in enumerate(variants):
                shape = ["", "(u64)", f" {{ {snake((v.noun(),))}: String }}"][i % 3]
                out.append(f"    {var}{shape},")
            g.emit([*out, "}", ""])
        else:
            g.emit([*d.function(g.function()), ""])
    if rng.random() < 0.3:
        tests = ["#[cfg(test)]", "mod tests {", "    use super::*;", ""]
        for _ in range(rng.randint(1, 3)):
            spec = g.function(budget=rng.randint(3, 10), doc_p=0.0, public=False)
            spec.params, spec.ret, spec.decorators = [], None, ["#[test]"]
            tests += [*ind(d.function(spec), "    "), ""]
        g.emit([*tests, "}"])


def _go_file(g: FileGen) -> None:
    rng, v, d = g.rng, g.vocab, g.d
    pkg = v.noun()
    summary = v.fill(rng.choice(DOC_FIRST))
    g.emit([f"// Package {pkg} {summary[0].lower()}{summary[1:]}"])
    g.emit([f"package {pkg}", "", "import (", '\t"fmt"', '\t"log"', '\t"strconv"', '\t"strings"', ")", ""])
    g.emit(["const ("] + [f"\t{d.fn(v.var_words())} = {d.num(rng)}" for _ in range(rng.randint(1, 4))])
    g.emit([")", ""])
    while not g.full():
        if rng.random() < 0.35:
            name = d.typ(v.type_words())
            fields = {d.fieldname(v.var_words()): rng.choice(TYPE_KEYS) for _ in range(rng.randint(1, 5))}
            out = [f"// {name} {v.fill(rng.choice(DOC_FIRST)).lower()}", f"type {name} struct {{"]
            out += [f'\t{f} {d.types[k]} `json:"{f.lower()}"`' for f, k in fields.items()]
            args = ", ".join(f"{camel((f.lower(),))} {d.types[k]}" for f, k in fields.items())
            out += ["}", "", f"// New{name} creates a {name}.", f"func New{name}({args}) *{name} {{"]
            init = ", ".join(f"{f}: {f.lower()}" for f in fields)
            g.emit([*out, f"\treturn &{name}{{{init}}}", "}", ""])
            recv = d.self_ref(name)
            members = [f"{recv}.{f}" for f in fields]
            for _ in range(rng.randint(1, 6)):
                g.emit([*d.function(g.function(name, members)), ""])
                if g.full():
                    break
        else:
            g.emit([*d.function(g.function()), ""])


def _gdscript_file(g: FileGen) -> None:
    rng, v, d = g.rng, g.vocab, g.d
    base = rng.choice(["Node", "Node2D", "CharacterBody2D", "Control", "Resource", "Area2D", "Node3D"])
    head = [f"class_name {d.typ(v.type_words())}"] if rng.random() < 0.6 else []
    head += [f"extends {base}", f"## {v.fill(rng.choice(DOC_FIRST))}", ""]
    for _ in range(rng.randint(0, 3)):
        args = ", ".join(
            f"{snake(v.var_words())}: {d.types[rng.choice(TYPE_KEYS)]}" for _ in range(rng.randint(0, 2))
        )
        head.append(f"signal {snake(v.var_words())}_changed({args})")
    if rng.random() < 0.5:
        states = ", ".join(dict.fromkeys(upper((v.noun(),)) for _ in range(rng.randint(2, 5))))
        head += ["", f"enum {d.typ(v.type_words())} {{ {states} }}"]
    head += ["", f"const {d.const(v.var_words())} := {d.num(rng)}", ""]
    members: list[str] = []
    defaults = {"int": "0", "float": "1.0", "str": '""', "bool": "false", "list": "[]", "map": "{}"}
    for _ in range(rng.randint(2, 6)):
        name, key = snake(v.var_words()), rng.choice(TYPE_KEYS)
        export = "@export " if rng.random() < 0.4 else ""
        head.append(f"{export}var {name}: {d.types[key]} = {defaults[key]}")
        members.append(name)
    g.emit([*head, "", ""])
    while not g.full():
        if rng.random() < 0.1:
            cls = d.typ(v.type_words())
            out = [f"## {v.fill(rng.choice(DOC_FIRST))}", f"class {cls}:"]
            inner = list(dict.fromkeys(snake(v.var_words()) for _ in range(rng.randint(1, 3))))
            out += [f"\tvar {name} = {d.num(rng)}" for name in inner]
            g.emit([*out, ""])
            for _ in range(rng.randint(1, 3)):
                g.emit([*ind(d.function(g.function(cls, inner, budget=rng.randint(3, 12))), "\t"), ""])
            g.emit([""])
        else:
            g.emit([*d.function(g.function("script", members)), "", ""])


def _markdown_file(g: FileGen, title: str | None = None) -> None:
    rng, v = g.rng, g.vocab
    langs = list(DIALECTS)

    def para() -> str:
        return " ".join(v.fill(rng.choice(PROSE)) for _ in range(rng.randint(1, 4)))

    def snippet() -> list[str]:
        lang = rng.choice(langs)
        sub = FileGen(rng, lang, v.nouns, 0)
        spec = sub.function(budget=rng.randint(3, 14))
        return [f"```{lang}", *sub.d.function(spec), "```", ""]

    g.emit([f"# {title or ' '.join(v.var_words()).title()}", "", para(), ""])
    while not g.full():
        g.emit([f"## {v.fill(rng.choice(DOC_FIRST))[:-1]}", "", para(), ""])
        for _ in range(rng.randint(0, 3)):
            r = rng.random()
            if r < 0.3:
                g.emit([f"### {' '.join(v.fn_words()).capitalize()}", "", para(), ""])
            elif r < 0.55:
                g.emit(
                    [f"- `{snake(v.var_words())}`: {v.fill(rng.choice(DOC_EXTRA))}" for _ in range(3)] + [""]
                )
            elif r < 0.65:
                rows = ["| Name | Default | Description |", "| --- | --- | --- |"]
                rows += [
                    f"| `{snake(v.var_words())}` | {rng.randint(0, 100)} | {v.phrase()} |" for _ in range(4)
                ]
                g.emit([*rows, ""])
            g.emit(snippet())


WRITERS: dict[str, Callable[[FileGen], None]] = {
    "python": _python_file,
    "typescript": _typescript_file,
    "rust": _rust_file,
    "go": _go_file,
    "gdscript": _gdscript_file,
    "markdown": _markdown_file,
}
EXTENSIONS = {
    "python": ".py",
    "typescript": ".ts",
    "rust": ".rs",
    "go": ".go",
    "gdscript": ".gd",
    "markdown": ".md",
}
DIRS = {
    "python": ["src/{pkg}", "src/{pkg}/core", "src/{pkg}/{mod}", "tests", "scripts"],
    "typescript": ["src", "src/{mod}", "src/components", "frontend/src/{mod}", "test"],
    "rust": ["src", "src/{mod}", "contracts/{pkg}/src", "tests"],
    "go": ["cmd/{pkg}", "internal/{mod}", "pkg/{mod}", "internal/store"],
    "gdscript": ["scripts", "scripts/{mod}", "scripts/ui", "addons/{pkg}", "autoload"],
    "markdown": ["docs", "docs/guides", "docs/{mod}"],
}
MANIFESTS = {
    "python": (
        "pyproject.toml",
        '[project]\nname = "{name}"\nversion = "0.{minor}.0"\nrequires-python = ">=3.10"\n',
    ),
    "typescript": (
        "package.json",
        '{{\n  "name": "{name}",\n  "version": "0.{minor}.0",\n  "private": true\n}}\n',
    ),
    "rust": ("Cargo.toml", '[package]\nname = "{name}"\nversion = "0.{minor}.0"\nedition = "2021"\n'),
    "go": ("go.mod", "module example.com/{name}\n\ngo 1.22\n"),
    "gdscript": ("project.godot", 'config_version=5\n\n[application]\n\nconfig/name="{name}"\n'),
}
LANGS = ["python", "typescript", "rust", "gdscript", "go"]


@dataclass
class _Repo:
    path: Path
    primary: str
    topic: list[str]
    words: dict[str, str]
    names: set[str] = field(default_factory=set)

    def pick_language(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.08:
            return "markdown"
        if r < 0.65:
            return self.primary
        return rng.choice(LANGS)

    def new_file(self, rng: random.Random, lang: str, vocab: Vocab) -> Path:
        folder = rng.choice(DIRS[lang]).format(**self.words)
        stem_words = vocab.fn_words()[1:] if rng.random() < 0.5 else vocab.var_words()
        stem = "-".join(stem_words) if lang in ("typescript", "markdown") else snake(stem_words)
        rel = f"{folder}/{stem}{EXTENSIONS[lang]}"
        n = 2
        while rel in self.names:
            rel = f"{folder}/{stem}_{n}{EXTENSIONS[lang]}"
            n += 1
        self.names.add(rel)
        return self.path / rel


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(data)
    return len(data)


def generate_corpus(root: Path, total_bytes: int, seed: int = 0, repos: int = 8) -> list[Path]:
    """Writes `repos` synthetic repositories under `root` totalling about `total_bytes`.

    Deterministic for a seed. Files are 2-40 KB (log-uniform) except near the end, where
    they shrink so the total lands within a few KB of the request; below ~50 KB the fixed
    README and manifest per repository dominate. Use an empty `root`: nothing is deleted.
    """
    if repos < 1:
        raise ValueError("repos must be at least 1")
    rng = random.Random(seed)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    state: list[_Repo] = []
    written = 0
    for i in range(repos):
        primary = LANGS[i % len(LANGS)] if i < len(LANGS) else rng.choice(LANGS)
        topic = rng.sample(NOUNS, k=24)
        name = f"{topic[0]}-{topic[1]}-{i:02d}"
        words = {"pkg": topic[2], "mod": topic[3]}
        repo = _Repo(root / name, primary, topic, words)
        repo.path.mkdir(parents=True, exist_ok=True)
        gen = FileGen(rng, "markdown", topic, min(2048, max(256, total_bytes // (repos * 20))))
        _markdown_file(gen, title=name)
        written += _write(repo.path / "README.md", gen.text())
        manifest, template = MANIFESTS[primary]
        written += _write(repo.path / manifest, template.format(name=name, minor=rng.randint(1, 9)))
        state.append(repo)

    lo, hi = math.log(2 * 1024), math.log(40 * 1024)
    while written < total_bytes:
        remaining = total_bytes - written
        repo = rng.choice(state)
        lang = repo.pick_language(rng)
        target = int(math.exp(rng.uniform(lo, hi)))
        if remaining < target + 2048:
            target = remaining
        gen = FileGen(rng, lang, repo.topic, target)
        WRITERS[lang](gen)
        written += _write(repo.new_file(rng, lang, gen.vocab), gen.text())
    return [r.path for r in state]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic multi-language code corpus.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=10.0, help="total size in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repos", type=int, default=8)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = generate_corpus(args.out, int(args.mb * 1_000_000), seed=args.seed, repos=args.repos)
    elapsed = time.perf_counter() - start
    files = [p for repo in paths for p in repo.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"{len(paths)} repos, {len(files)} files, {size / 1e6:.1f} MB in {elapsed:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
