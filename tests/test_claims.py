import pytest

from lessons import claims


def test_claim_check_shows_claim_computation_and_verdict():
    box = claims.ClaimCheck("MAE is 0.325", "a blog post", "1.4 / 4 = 0.35", "wrong", note="0.35.")
    text = str(box)
    assert text.splitlines() == [
        'Claim check (a blog post): "MAE is 0.325"',
        "  we computed: 1.4 / 4 = 0.35",
        "  verdict: ✘ wrong",
        "  0.35.",
    ]
    assert "✘ wrong" in box._repr_html_() and "&lt;" not in box._repr_html_()


@pytest.mark.parametrize("field, value", [("kind", "a tweet"), ("verdict", "maybe")])
def test_claim_check_rejects_unknown_kind_and_verdict(field, value):
    args = dict(claim="c", kind="a lesson", computed="x", verdict="holds")
    args[field] = value
    with pytest.raises(ValueError, match=field):
        claims.ClaimCheck(**args)
