"""Leaves go by names of their own, in text and in pictures alike: two leaves holding
the same number are never both called by that number (v1, v2 where nothing is
labelled; const1, const2 as nodes where something is), while a leaf whose number no
other leaf shares keeps it as its name, as micrograd-style code reads (2*x + 1)."""

from autograd_tiny import Value, backward_steps, draw_dot, explain
from autograd_tiny.core.graph import snapshot


def test_two_unlabelled_leaves_with_one_value_get_two_names():
    x, y = Value(2.0), Value(2.0)
    z = x * y + x
    graph = snapshot(z)
    assert (graph.names[x], graph.names[y], graph.names[z]) == ("v1", "v2", "v1*v2 + v1")
    ex, ey = explain(z, x), explain(z, y)
    assert ex.gradient_name == "d(v1*v2 + v1)/dv1" and ex.total == 3.0
    assert ey.gradient_name == "d(v1*v2 + v1)/dv2" and ey.total == 2.0
    totals = [step.rows()[3][1] for step in backward_steps(z)]
    assert totals[2].startswith("d(v1*v2 + v1)/dv1 = 1 + 2 = 3")
    assert totals[3].startswith("d(v1*v2 + v1)/dv2 = 0 + 2 = 2")
    assert (x.grad, y.grad) == (3.0, 2.0)


def test_leaves_of_different_values_keep_their_numbers_as_names():
    """Numbers typed in code stay numbers: 2*x + 1 with x = 3 reads d(2*3 + 1)/d3, as
    it did; only equal values need names of their own."""
    steps = list(backward_steps(Value(2.0) * Value(3.0)))
    assert [step.local_name for step in steps] == ["∂(2*3)/∂2", "∂(2*3)/∂3"]
    x = Value(3.0)
    assert explain(2 * x + 1, x).gradient_name == "d(2*3 + 1)/d3"
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    from autograd_tiny.teach.notation import formula
    assert formula((c * 0.5).tanh()) == "tanh(c*0.5)"  # a slide's forward frame


def test_the_picture_prints_the_new_names_on_the_nodes():
    x, y = Value(2.0), Value(2.0)
    source = draw_dot(x * y + x).source
    assert "{ v1 | data 2.0000" in source and "{ v2 | data 2.0000" in source
    assert "{ v1*v2 + v1 | data 6.0000" in source
    assert "{ 2 |" not in source


def test_equal_constants_are_numbers_in_expressions_and_distinct_as_nodes():
    e = Value(2.0, label="e")
    o = (e - 1) / (e + 1)
    o.label = "o"
    graph = snapshot(o)
    minus, plus = o._prev
    assert (graph.names[minus], graph.names[plus]) == ("e - 1", "e + 1")
    assert (graph.names[minus._prev[1]], graph.names[plus._prev[1]]) == ("const1", "const2")
    totals = {step.total_name: step.total for step in backward_steps(o)
              if not step.parent._prev and step.parent is not e}
    assert totals == {"do/dconst1": -1 / 3, "do/dconst2": -1 / 9}
    source = draw_dot(o).source
    assert "{ const1 | data 1.0000" in source and "{ const2 | data 1.0000" in source


def test_names_without_a_clash_stay_as_they_were():
    w, x = Value(-3.0, label="w"), Value(2.0, label="x")
    y = (w * x + 1).tanh()
    graph = snapshot(y)
    assert [graph.names[node] for node in graph.order] == [
        "tanh(w*x + 1)", "w*x + 1", "w*x", "x", "w", "1"]


def test_a_label_the_user_chose_is_skipped():
    a = Value(1.0, label="v1")
    b, c = Value(5.0), Value(5.0)
    graph = snapshot(a * b + c)
    assert (graph.names[b], graph.names[c]) == ("const1", "const2")
    graph = snapshot(Value(1.0, label="const1") * Value(4.0) + Value(4.0))
    assert sorted(graph.names[n] for n in graph.order if not n._prev) == [
        "const1", "const2", "const3"]


def test_a_constant_and_a_negation_with_one_name_are_told_apart():
    two, minus_two = Value(2.0), Value(-2.0)
    a = Value(1.0, label="a")
    graph = snapshot(a * (-two) + minus_two)
    assert graph.names[minus_two] == "const1"
    assert graph.term(minus_two) == ("-2", 3)


def test_check_and_the_slides_use_the_same_names(tmp_path):
    import html

    from autograd_tiny import check, write_slides

    x, y = Value(2.0), Value(2.0)
    z = x * y + x
    result = check({"v1": 3, "v2": 2}, z, quiet=True)
    assert result.score == 2  # check finds the nodes by the names text prints
    write_slides(z, tmp_path / "deck.html")
    page = html.unescape((tmp_path / "deck.html").read_text(encoding="utf-8"))
    assert "d(v1*v2 + v1)/dv1" in page and "d(v1*v2 + v1)/dv2" in page
    assert "d(2*2 + 2)" not in page
