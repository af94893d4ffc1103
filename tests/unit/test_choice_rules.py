"""The tables behind choices, confirmations and edited buttons: complete, and read right."""

from __future__ import annotations

from bot.chat.choosing import BARE_NUMBER, REFUSALS, number_lists
from bot.chat.confirmations import QUESTIONS, Ending, confirmed
from bot.chat.outcomes import OUTCOME_LINES
from bot.chat.types import Action, Outgoing
from bot.core.choices import LASTS, OUTCOMES, Lasts, Outcome, Verdict
from bot.core.notices import NoticeKind
from bot.core.request_states import TRANSITIONS, Transition
from bot.transports.matrix.formatting import action_for_reaction, content


def test_every_change_of_state_says_what_it_does_to_the_buttons() -> None:
    assert set(OUTCOMES) == set(TRANSITIONS)
    assert OUTCOMES[Transition.OFFER] is None  # a new round leaves the offers valid
    assert set(OUTCOME_LINES) == set(Outcome)
    assert {o for o in OUTCOMES.values() if o is not None} <= set(Outcome)


def test_every_refusal_and_ending_is_worded() -> None:
    assert set(REFUSALS) == set(Verdict) - {Verdict.VALID}
    assert set(QUESTIONS) == set(Ending)
    assert LASTS["offer"] is Lasts.WHILE_REQUEST_WAITS
    assert set(LASTS) <= {kind.value for kind in NoticeKind}  # origins are notice kinds


def test_only_the_yes_word_at_the_end_confirms() -> None:
    assert confirmed("oui") and confirmed("Oui") and confirmed("yes") and confirmed("2 oui")
    assert not confirmed("") and not confirmed("non") and not confirmed("oui merci")


def test_bare_numbers_are_plain_digits() -> None:
    assert BARE_NUMBER.fullmatch("1") and BARE_NUMBER.fullmatch("12")
    for text in ("²", "٣", "１", "123", "1.", " 1", "-1"):
        assert not BARE_NUMBER.fullmatch(text), text


def test_the_lists_of_one_answer_number_on() -> None:
    first = Outgoing("a", actions=(Action("Oui", "/envoyer 1"), Action("Non", "/annuler 1")))
    plain = Outgoing("b")
    second = Outgoing("c", actions=(Action("#2", "/tuto aide 2 1"),))
    numbered = number_lists([first, plain, second])
    assert [m.first_number for m in numbered] == [1, 1, 3]


def test_matrix_numbers_and_reactions_follow_the_numbers_shown() -> None:
    shown = content("c", (Action("#2 m'a aidé", "/tuto aide 2 1"),), notice=True, first=3)
    assert "3. #2 m'a aidé" in shown["body"] and '<ol start="3">' in shown["formatted_body"]
    actions = shown["org.samu.actions"]
    assert action_for_reaction("3️⃣", actions) == "/tuto aide 2 1"
    assert action_for_reaction("1️⃣", actions) is None
    question = [
        {"label": "Oui, rendre la #1", "payload": "/lacher 1 oui", "number": 1, "answer": "yes"},
        {"label": "Non, je la garde", "payload": "/annuler", "number": 2, "answer": "no"},
    ]
    assert action_for_reaction("✅", question) == "/lacher 1 oui"
    assert action_for_reaction("❌", question) == "/annuler"
    old_style = [{"label": "Je prends", "payload": "/prendre 1"}]  # shown before numbers
    assert action_for_reaction("1️⃣", old_style) == "/prendre 1"
