#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/, from the project's own test data,
templates and examples, so each fuzz run starts from inputs that reach deep into the code
rather than from nothing. Run it again after the test data changes much; it rewrites every
target's seeds. Files are small (a few KB at most) and a few dozen per target."""

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "crates/manyi-core/tests/data"
TEMPLATES = ROOT / "crates/manyi-core/templates"
CORPUS = ROOT / "fuzz/corpus"
# Larger seeds slow every execution that mutates them; the fuzzer grows inputs itself.
MAX_SEED_BYTES = 4096


def patched(base, set_=None, remove=None):
    """The base definition patched as tests/common.rs patches it (JSON pointers)."""
    doc = json.loads(base)

    def parent_of(pointer):
        parent, last = pointer.rsplit("/", 1)
        node = doc
        for part in parent.split("/")[1:]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node, last

    for pointer, value in (set_ or {}).items():
        node, last = parent_of(pointer)
        if isinstance(node, list):
            i = int(last)
            if i == len(node):
                node.append(value)
            else:
                node[i] = value
        else:
            node[last] = value
    for pointer in remove or []:
        node, last = parent_of(pointer)
        if isinstance(node, list):
            del node[int(last)]
        else:
            del node[last]
    return doc


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(target, seeds):
    out = CORPUS / target
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    kept = 0
    for name, text in seeds:
        data = text.encode("utf-8")
        # libFuzzer tries the empty input itself, and skips an empty file.
        if not data or len(data) > MAX_SEED_BYTES:
            continue
        (out / f"{name}").write_bytes(data)
        kept += 1
    print(f"{target}: {kept} seeds")


def response(answers, survey_id="base", partial=False, **extra):
    r = {
        "id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        "survey_id": survey_id,
        "survey_version": 1,
        "submitted_at": "2026-10-07T23:54:00+08:00",
        "locale": "en",
        "answers": answers,
        "meta": {"channel": "web"},
    }
    if partial:
        r["partial"] = True
    r.update(extra)
    return r


def main():
    base = (DATA / "base_survey.json").read_text()

    # definition: the templates, the base survey and the test suite's patched definitions.
    seeds = [(f"template-{p.stem}", p.read_text()) for p in sorted(TEMPLATES.glob("*.json"))]
    seeds.append(("base", base))
    for i, case in enumerate(json.loads((DATA / "definitions.json").read_text())):
        doc = patched(base, case.get("set"), case.get("remove"))
        seeds.append((f"definitions-{i:02}", compact(doc)))
    write("definition", seeds[:40])

    # condition_manyi: each condition of the tests, a newline, and the answers it is run on.
    conditions = json.loads((DATA / "conditions.json").read_text())
    seeds = [
        (f"eval-{i:02}", case["expr"] + "\n" + compact(case["answers"]))
        for i, case in enumerate(conditions["eval"])
    ]
    seeds += [(f"error-{i:02}", case["expr"]) for i, case in enumerate(conditions["errors"])]
    write("condition_manyi", seeds)

    # condition_surveyjs: survey-core's own test expressions, every seventh, with their values.
    cases = json.loads((DATA / "surveyjs/expressions.json").read_text())
    seeds = [
        (f"expr-{i:03}", case["expr"] + "\n" + compact(case.get("values", {})))
        for i, case in enumerate(cases)
        if i % 7 == 0
    ]
    write("condition_surveyjs", seeds)

    # surveyjs_import: the import tests' documents and the smallest of SurveyJS's own surveys.
    seeds = [
        (f"import-{i:02}", compact(case["surveyjs"]))
        for i, case in enumerate(json.loads((DATA / "surveyjs_import.json").read_text()))
    ]
    surveys = sorted((DATA / "surveyjs/surveys").glob("*.json"), key=lambda p: p.stat().st_size)
    seeds += [(p.stem[:60], compact(json.loads(p.read_text()))) for p in surveys[::10]]
    write("surveyjs_import", seeds[:40])

    # response: the response tests' answers on the base survey, a response to each template
    # and an array of the nps example's responses (a report of several).
    seeds = []
    for i, case in enumerate(json.loads((DATA / "responses.json").read_text())):
        if "set" in case:
            continue  # those patch the survey, which the fuzz target cannot
        r = response(case["answers"], partial=case.get("partial", False))
        seeds.append((f"responses-{i:02}", compact(r)))
    seeds.append(("nps", compact(response({"nps": 9, "reason": "quick"}, "nps"))))
    seeds.append(("csat", compact(response({"csat": 4, "channel": "web"}, "csat"))))
    seeds.append(("ces", compact(response({"ces": 2, "effort_reason": "forms"}, "ces"))))
    rq = json.loads((TEMPLATES / "rq.json").read_text())
    ids = [q["id"] for page in rq["pages"] for q in page["questions"]]
    seeds.append(("rq", compact(response({q: 1 + i % 7 for i, q in enumerate(ids)}, "rq"))))
    nps = json.loads((ROOT / "examples/nps-responses.json").read_text())
    seeds.append(("nps-array", compact(nps[:12])))
    write("response", seeds)


if __name__ == "__main__":
    main()
