"""The figures of a period as a coordinator reads them: in the weekly digest (a notice) and
in `/suivi` (a command)."""

from __future__ import annotations

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.tutorial_views import result_line
from bot.chat.types import Action, Outgoing
from bot.chat.wording import bullet
from bot.core import digest
from bot.core.digest import Digest


def digest_message(ctx: Context, summary: Digest, *, heading: str) -> Outgoing:
    """The figures of a period, with the lists a coordinator can open."""
    counts = summary.counts
    lines = [
        heading,
        bullet(ctx._("New requests: {n}.").format(n=counts.new)),
        bullet(ctx._("Solved: {n}.").format(n=counts.solved)),
        bullet(ctx._("Solved by a tutorial, without posting: {n}.").format(n=counts.deflected)),
        bullet(ctx._("Waiting for a helper now: {n}.").format(n=counts.unclaimed)),
        bullet(ctx._("Sent to the coordination: {n}.").format(n=counts.escalated)),
        bullet(ctx._("New tutorials: {n}.").format(n=counts.tutorials)),
        bullet(ctx._("Requests with a skill gap: {n}.").format(n=counts.gaps)),
    ]
    if summary.gaps:
        missing = ", ".join(gap.label(ctx.t.locale) for gap in summary.gaps)
        lines.append(ctx._("Skills most missing: {skills}.").format(skills=missing))
    actions = [
        Action(ctx._("Requests waiting"), "/suivi attente"),
        Action(ctx._("Skill gaps"), "/suivi lacunes"),
    ]
    if summary.tutorials_to_check:
        lines.append(ctx._("Tutorials to check (reported, or not checked for long):"))
        lines.extend(result_line(ctx, tutorial) for tutorial in summary.tutorials_to_check)
        actions.append(Action(ctx._("Tutorials to check"), "/tuto asuivre"))
    return ctx.reply(*lines, actions=actions)


def weak_spot_lines(
    ctx: Context, gaps: list[digest.SkillCount], topics: list[digest.SkillCount]
) -> list[str]:
    """Skills asked without a helper, and the tutorials' topics, over the last quarter."""
    lines = [ctx._("Skills asked for with nobody to help (last 3 months):")]
    lines += [
        bullet(
            ctx._("{skill}: {requests}, {helpers}").format(
                skill=gap.label(ctx.t.locale),
                requests=ctx.ngettext("{n} request", "{n} requests", gap.count).format(n=gap.count),
                helpers=ctx.ngettext(
                    "{n} member knows it",
                    "{n} members know it",
                    gap.helpers,
                    zero=N_("no member knows it"),
                ).format(n=gap.helpers),
            )
        )
        for gap in gaps
    ] or [bullet("—")]
    lines.append(ctx._("Most frequent tutorial topics:"))
    lines += [bullet(f"{topic.label(ctx.t.locale)} ({topic.count})") for topic in topics] or [
        bullet("—")
    ]
    return lines
