"""Every named Cypher statement parses and plans against the real Neo4j (EXPLAIN), with parameters."""

from __future__ import annotations

import re

import pytest

from ownergraph.cypher import names, query


@pytest.mark.parametrize("name", [n for n in names() if not n.startswith("schema/")])
def test_statement_plans(store, name):
    text = query(name)
    params = {p: None for p in re.findall(r"\$(\w+)", text)}
    with store.driver.session() as session:
        session.run("EXPLAIN " + text, params).consume()


def test_no_statement_interpolates_values():
    for name in names():
        text = query(name)
        assert "{" + "0}" not in text and "%s" not in text and "f\"" not in text, name
