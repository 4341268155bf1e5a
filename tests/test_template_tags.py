"""tracker_tags: the filters the templates use where Django's own would be slow or say it otherwise."""

from django.template.defaultfilters import truncatewords
from hypothesis import example, given
from hypothesis import strategies as st

from tracker.templatetags.tracker_tags import first_words

SPACES = st.text(alphabet=st.sampled_from([" ", "\n", "\t", "\u00a0", "\u2003"]))
WORDS = st.lists(st.tuples(SPACES, st.sampled_from(["force", "é", "…", "months,", "x…"]))).map(
    lambda pairs: "".join(space + word for space, word in pairs)
)
WORDY = st.one_of(WORDS, st.text(alphabet=st.sampled_from(["a", "é", " ", "\n", "\u00a0", "…", "."])))


def test_first_words_keeps_a_short_text_whole():
    assert first_words("Within six months, the force should", 20) == "Within six months, the force should"


def test_first_words_cuts_a_long_text_and_says_so():
    assert first_words("one two three four", 2) == "one two …"


def test_first_words_of_nothing_asked_is_empty():
    assert first_words("one two", 0) == ""


def test_first_words_does_not_repeat_an_ellipsis_the_text_ends_on():
    assert first_words("see above … and below", 2) == "see above …" == truncatewords("see above … and below", 2)


@given(text=WORDY, count=st.integers(min_value=-1, max_value=12))
@example(text="a … b", count=2)
def test_first_words_says_what_djangos_truncatewords_says(text, count):
    assert first_words(text, count) == truncatewords(text, count)
