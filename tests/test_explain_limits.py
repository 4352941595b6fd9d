"""explain past its limits: many routes, long routes, and the text around them (the
note on .grad, the reason backward does not list routes, compound names in d(...))."""

import re

import pytest

import autograd_tiny.teach.routes as routes_module
from autograd_tiny import Value, backward_steps, explain
from autograd_tiny.core.graph import snapshot


def squares(n):
    xs = [Value(float(i), label=f"x{i}") for i in range(n)]
    s = sum(x * x for x in xs)
    s.label = "s"
    return xs, s


def test_a_long_route_switches_to_the_per_node_table():
    xs, s = squares(1000)
    e = explain(s, xs[5])
    text = str(e)
    assert (e.route_count, e.longest, e.routes, e.listed) == (2, 996, (), False)
    assert e.total == 10.0
    assert "too long to list (the longest has 996 factors, limit 40)" in text.splitlines()[0]
    assert len(text) < 5000  # was 141,363 characters
    assert text.splitlines()[-1] == "total: ds/dx5 = 10"


def test_a_route_at_the_limit_is_still_written_out():
    x = Value(0.5, label="x")
    y = x
    for _ in range(40):
        y = y * 1.0
    e = explain(y, x)
    assert e.longest == 40 and len(e.routes[0].factors) == 40
    assert not explain(y * 1.0, x).routes
    assert len(explain(y * 1.0, x, max_factors=41).routes[0].factors) == 41
    with pytest.raises(ValueError, match="max_factors must be at least 1"):
        explain(y, x, max_factors=0)


def test_the_work_on_long_routes_is_linear(monkeypatch):
    calls = {"locals": 0, "factor": 0}
    real_locals, real_factor = routes_module._locals, routes_module._factor

    def counted_locals(node):
        calls["locals"] += 1
        return real_locals(node)

    def counted_factor(*args):
        calls["factor"] += 1
        return real_factor(*args)

    monkeypatch.setattr(routes_module, "_locals", counted_locals)
    monkeypatch.setattr(routes_module, "_factor", counted_factor)
    counts = []
    for n in (500, 5000):
        xs, s = squares(n)
        calls.update(locals=0, factor=0)
        text = str(explain(s, xs[5]))
        counts.append((calls["locals"], calls["factor"], len(text)))
    # one local-derivative read per node with inputs (n products, n sums), no factor
    # built for the unlisted routes, and the same size of text for ten times the graph
    assert [c[:2] for c in counts] == [(1000, 0), (10000, 0)]
    assert abs(counts[1][2] - counts[0][2]) < 100


def test_past_the_route_limit_the_reason_names_its_source_by_title():
    x = Value(1.0, label="x")
    y = x
    for _ in range(7):  # 2**7 = 128 routes
        y = y * y
    text = str(explain(y, x))
    assert "Why backward() does not list routes: it passes each gradient on once per edge" in text
    assert 'As the notes "Backpropagation - Simple Notes" put it: "By following this route' in text
    assert "Efficiency (a general" not in text
    assert "seed" not in text.lower() and "shared/" not in text


def test_the_accumulated_note_does_not_send_a_value_to_zero_grad():
    a = Value(3.0, label="a")
    L = a * a
    L.backward(); L.backward()
    (note,) = explain(L, a).notes()
    assert note.endswith("(set a.grad = 0, or model.zero_grad() for a model, before "
                         "backward() to get this pass alone)")
    assert "zero_grad() or" not in note and not hasattr(a, "zero_grad")


def test_a_compound_root_name_is_parenthesised_in_every_d():
    xs = [Value(float(i), label=f"x{i}") for i in range(30)]
    loss = sum((x * 2 + 1).relu() for x in xs) / 100 + 0.0001 * sum(x * x for x in xs)
    name = snapshot(loss).names[loss]
    assert "…" in name and " + " in name
    text = str(explain(loss, xs[3], limit=1))
    assert f"d({name})/dnode" in text and f"d{name}/" not in text
    assert f"d({name})/dx3" in text.splitlines()[0]
    # every d or ∂ applied to the root's name is followed by "(" + name + ")"
    for symbol in ("d", "∂"):
        assert not re.search(re.escape(symbol + name), text)


def test_a_long_sum_elides_one_run_between_its_first_and_last_terms():
    x = Value(1.0, label="x")
    terms = [x * i for i in range(1, 13)]
    s = terms[0]
    for term in terms[1:]:
        s = s + term
    assert snapshot(s).names[s] == "x*1 + … + x*10 + x*11 + x*12"
    assert snapshot(s).names[s].count("…") == 1


def test_an_expression_named_grad_row_is_parenthesised():
    w, x = Value(2.0, label="w"), Value(3.0, label="x")
    inner = w * x + 1
    L = inner * inner
    L.label = "L"
    L.backward()
    step = next(iter(backward_steps(L)))
    assert step.grad_rows()[0][1].startswith("(w*x + 1).grad = ")
    assert "(w*x + 1).grad = 21" in repr(step)  # 14 from backward(), 7 from step 1
