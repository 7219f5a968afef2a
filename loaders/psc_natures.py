"""The UK PSC register's natures of control as ownergraph interests: one row per code, as data.

Every code of Companies House's code list (`psc_descriptions.yml`, section `description`, 86 codes) is
here, for companies, LLPs, Scottish and limited partnerships and the Register of Overseas Entities (ROE).
Each maps to an interest type (SPEC.md §2, BODS 0.4 codes), the share band the code's legal wording
gives, and the capacity in which the person holds it.

Interest types:
- `ownership-of-shares-*` -> shareholding; `voting-rights-*` -> voting-rights;
- `right-to-appoint-and-remove-directors*`, `-members-...-limited-liability-partnership` and
  `right-to-appoint-and-remove-person*` (partnerships) -> appointment-of-board: the right to appoint or
  remove a majority of those who manage the entity;
- `significant-influence-or-control*` -> other-influence-or-control;
- `right-to-share-surplus-assets-*` (LLP) and `part-right-to-share-surplus-assets-*` (partnership) ->
  rights-to-surplus-assets-on-dissolution, with their bands;
- `registered-owner-as-nominee-*` (ROE) -> nominator: the overseas entity holds UK land as a nominee for
  the beneficial owner; it is not a share in, or control of, the entity.

Bands, in the register's words: "more than 25% but not more than 50%" is (25, 50]; "more than 50% but
not more than 75%" is (50, 75]; "more than 75%" is (75, 100]; the ROE's "more than 25%" is (25, 100];
two LLP and partnership codes say "75% or more", which is [75, 100]. Rights without a percentage
(appointment, influence, nominee) are undisclosed shares, 0-100.

Capacity: held directly; through a trust or a firm whose trustees or members hold it (`-as-trust`,
`-as-firm`; for the ROE, the beneficial owner is a trustee or member); through control over a trust or
firm that holds it (`-as-control-over-trust`, `-as-control-over-firm`, ROE); or as the one for whom the
entity is a nominee. The register counts all of them as the person's own interest, so the loader does
too: the capacity changes neither the interest type nor the band.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ownergraph.graph.share import Share

SHARES = "shareholding"
VOTES = "voting-rights"
BOARD = "appointment-of-board"
INFLUENCE = "other-influence-or-control"
SURPLUS = "rights-to-surplus-assets-on-dissolution"
NOMINATOR = "nominator"

MORE_THAN_25_TO_50 = Share(Decimal(25), Decimal(50), lo_open=True)
MORE_THAN_50_TO_75 = Share(Decimal(50), Decimal(75), lo_open=True)
MORE_THAN_75 = Share(Decimal(75), Decimal(100), lo_open=True)
MORE_THAN_25 = Share(Decimal(25), Decimal(100), lo_open=True)
AT_LEAST_75 = Share(Decimal(75), Decimal(100))
UNDISCLOSED = Share.unknown()

DIRECT = "direct"
TRUST = "as-trust"
FIRM = "as-firm"
CONTROL_OVER_TRUST = "as-control-over-trust"
CONTROL_OVER_FIRM = "as-control-over-firm"
NOMINEE = "nominee"


@dataclass(frozen=True)
class Nature:
    interest: str
    share: Share
    capacity: str


NATURES: dict[str, Nature] = {
    "ownership-of-shares-25-to-50-percent": Nature(SHARES, MORE_THAN_25_TO_50, DIRECT),
    "ownership-of-shares-50-to-75-percent": Nature(SHARES, MORE_THAN_50_TO_75, DIRECT),
    "ownership-of-shares-75-to-100-percent": Nature(SHARES, MORE_THAN_75, DIRECT),
    "ownership-of-shares-25-to-50-percent-as-trust": Nature(SHARES, MORE_THAN_25_TO_50, TRUST),
    "ownership-of-shares-50-to-75-percent-as-trust": Nature(SHARES, MORE_THAN_50_TO_75, TRUST),
    "ownership-of-shares-75-to-100-percent-as-trust": Nature(SHARES, MORE_THAN_75, TRUST),
    "ownership-of-shares-25-to-50-percent-as-firm": Nature(SHARES, MORE_THAN_25_TO_50, FIRM),
    "ownership-of-shares-50-to-75-percent-as-firm": Nature(SHARES, MORE_THAN_50_TO_75, FIRM),
    "ownership-of-shares-75-to-100-percent-as-firm": Nature(SHARES, MORE_THAN_75, FIRM),
    "ownership-of-shares-more-than-25-percent-registered-overseas-entity": Nature(SHARES, MORE_THAN_25, DIRECT),
    "ownership-of-shares-more-than-25-percent-as-trust-registered-overseas-entity":
        Nature(SHARES, MORE_THAN_25, TRUST),
    "ownership-of-shares-more-than-25-percent-as-firm-registered-overseas-entity": Nature(SHARES, MORE_THAN_25, FIRM),
    "ownership-of-shares-more-than-25-percent-as-control-over-trust-registered-overseas-entity":
        Nature(SHARES, MORE_THAN_25, CONTROL_OVER_TRUST),
    "ownership-of-shares-more-than-25-percent-as-control-over-firm-registered-overseas-entity":
        Nature(SHARES, MORE_THAN_25, CONTROL_OVER_FIRM),
    "voting-rights-25-to-50-percent": Nature(VOTES, MORE_THAN_25_TO_50, DIRECT),
    "voting-rights-50-to-75-percent": Nature(VOTES, MORE_THAN_50_TO_75, DIRECT),
    "voting-rights-75-to-100-percent": Nature(VOTES, MORE_THAN_75, DIRECT),
    "voting-rights-25-to-50-percent-as-trust": Nature(VOTES, MORE_THAN_25_TO_50, TRUST),
    "voting-rights-50-to-75-percent-as-trust": Nature(VOTES, MORE_THAN_50_TO_75, TRUST),
    "voting-rights-75-to-100-percent-as-trust": Nature(VOTES, MORE_THAN_75, TRUST),
    "voting-rights-25-to-50-percent-as-firm": Nature(VOTES, MORE_THAN_25_TO_50, FIRM),
    "voting-rights-50-to-75-percent-as-firm": Nature(VOTES, MORE_THAN_50_TO_75, FIRM),
    "voting-rights-75-to-100-percent-as-firm": Nature(VOTES, MORE_THAN_75, FIRM),
    "voting-rights-more-than-25-percent-registered-overseas-entity": Nature(VOTES, MORE_THAN_25, DIRECT),
    "voting-rights-more-than-25-percent-as-trust-registered-overseas-entity": Nature(VOTES, MORE_THAN_25, TRUST),
    "voting-rights-more-than-25-percent-as-firm-registered-overseas-entity": Nature(VOTES, MORE_THAN_25, FIRM),
    "voting-rights-more-than-25-percent-as-control-over-trust-registered-overseas-entity":
        Nature(VOTES, MORE_THAN_25, CONTROL_OVER_TRUST),
    "voting-rights-more-than-25-percent-as-control-over-firm-registered-overseas-entity":
        Nature(VOTES, MORE_THAN_25, CONTROL_OVER_FIRM),
    "right-to-appoint-and-remove-directors": Nature(BOARD, UNDISCLOSED, DIRECT),
    "right-to-appoint-and-remove-directors-as-trust": Nature(BOARD, UNDISCLOSED, TRUST),
    "right-to-appoint-and-remove-directors-as-firm": Nature(BOARD, UNDISCLOSED, FIRM),
    "right-to-appoint-and-remove-directors-as-control-over-trust-registered-overseas-entity":
        Nature(BOARD, UNDISCLOSED, CONTROL_OVER_TRUST),
    "right-to-appoint-and-remove-directors-as-control-over-firm-registered-overseas-entity":
        Nature(BOARD, UNDISCLOSED, CONTROL_OVER_FIRM),
    "significant-influence-or-control": Nature(INFLUENCE, UNDISCLOSED, DIRECT),
    "significant-influence-or-control-as-trust": Nature(INFLUENCE, UNDISCLOSED, TRUST),
    "significant-influence-or-control-as-firm": Nature(INFLUENCE, UNDISCLOSED, FIRM),
    "right-to-share-surplus-assets-25-to-50-percent-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_25_TO_50, DIRECT),
    "right-to-share-surplus-assets-50-to-75-percent-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_50_TO_75, DIRECT),
    "right-to-share-surplus-assets-75-to-100-percent-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_75, DIRECT),
    "right-to-share-surplus-assets-25-to-50-percent-as-trust-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_25_TO_50, TRUST),
    "right-to-share-surplus-assets-50-to-75-percent-as-trust-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_50_TO_75, TRUST),
    "right-to-share-surplus-assets-75-to-100-percent-as-trust-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_75, TRUST),
    "right-to-share-surplus-assets-25-to-50-percent-as-firm-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_25_TO_50, FIRM),
    "right-to-share-surplus-assets-50-to-75-percent-as-firm-limited-liability-partnership":
        Nature(SURPLUS, MORE_THAN_50_TO_75, FIRM),
    "right-to-share-surplus-assets-75-to-100-percent-as-firm-limited-liability-partnership":
        Nature(SURPLUS, AT_LEAST_75, FIRM),
    "voting-rights-25-to-50-percent-limited-liability-partnership": Nature(VOTES, MORE_THAN_25_TO_50, DIRECT),
    "voting-rights-50-to-75-percent-limited-liability-partnership": Nature(VOTES, MORE_THAN_50_TO_75, DIRECT),
    "voting-rights-75-to-100-percent-limited-liability-partnership": Nature(VOTES, MORE_THAN_75, DIRECT),
    "voting-rights-25-to-50-percent-as-trust-limited-liability-partnership": Nature(VOTES, MORE_THAN_25_TO_50, TRUST),
    "voting-rights-50-to-75-percent-as-trust-limited-liability-partnership": Nature(VOTES, MORE_THAN_50_TO_75, TRUST),
    "voting-rights-75-to-100-percent-as-trust-limited-liability-partnership": Nature(VOTES, MORE_THAN_75, TRUST),
    "voting-rights-25-to-50-percent-as-firm-limited-liability-partnership": Nature(VOTES, MORE_THAN_25_TO_50, FIRM),
    "voting-rights-50-to-75-percent-as-firm-limited-liability-partnership": Nature(VOTES, MORE_THAN_50_TO_75, FIRM),
    "voting-rights-75-to-100-percent-as-firm-limited-liability-partnership": Nature(VOTES, MORE_THAN_75, FIRM),
    "right-to-appoint-and-remove-members-limited-liability-partnership": Nature(BOARD, UNDISCLOSED, DIRECT),
    "right-to-appoint-and-remove-members-as-trust-limited-liability-partnership": Nature(BOARD, UNDISCLOSED, TRUST),
    "right-to-appoint-and-remove-members-as-firm-limited-liability-partnership": Nature(BOARD, UNDISCLOSED, FIRM),
    "significant-influence-or-control-limited-liability-partnership": Nature(INFLUENCE, UNDISCLOSED, DIRECT),
    "significant-influence-or-control-as-trust-limited-liability-partnership": Nature(INFLUENCE, UNDISCLOSED, TRUST),
    "significant-influence-or-control-as-firm-limited-liability-partnership": Nature(INFLUENCE, UNDISCLOSED, FIRM),
    "significant-influence-or-control-registered-overseas-entity": Nature(INFLUENCE, UNDISCLOSED, DIRECT),
    "significant-influence-or-control-as-trust-registered-overseas-entity": Nature(INFLUENCE, UNDISCLOSED, TRUST),
    "significant-influence-or-control-as-firm-registered-overseas-entity": Nature(INFLUENCE, UNDISCLOSED, FIRM),
    "significant-influence-or-control-as-control-over-trust-registered-overseas-entity":
        Nature(INFLUENCE, UNDISCLOSED, CONTROL_OVER_TRUST),
    "significant-influence-or-control-as-control-over-firm-registered-overseas-entity":
        Nature(INFLUENCE, UNDISCLOSED, CONTROL_OVER_FIRM),
    "part-right-to-share-surplus-assets-25-to-50-percent": Nature(SURPLUS, MORE_THAN_25_TO_50, DIRECT),
    "part-right-to-share-surplus-assets-50-to-75-percent": Nature(SURPLUS, MORE_THAN_50_TO_75, DIRECT),
    "part-right-to-share-surplus-assets-75-to-100-percent": Nature(SURPLUS, MORE_THAN_75, DIRECT),
    "part-right-to-share-surplus-assets-25-to-50-percent-as-trust": Nature(SURPLUS, MORE_THAN_25_TO_50, TRUST),
    "part-right-to-share-surplus-assets-50-to-75-percent-as-trust": Nature(SURPLUS, MORE_THAN_50_TO_75, TRUST),
    "part-right-to-share-surplus-assets-75-to-100-percent-as-trust": Nature(SURPLUS, MORE_THAN_75, TRUST),
    "part-right-to-share-surplus-assets-25-to-50-percent-as-firm": Nature(SURPLUS, MORE_THAN_25_TO_50, FIRM),
    "part-right-to-share-surplus-assets-50-to-75-percent-as-firm": Nature(SURPLUS, MORE_THAN_50_TO_75, FIRM),
    "part-right-to-share-surplus-assets-75-to-100-percent-as-firm": Nature(SURPLUS, AT_LEAST_75, FIRM),
    "right-to-appoint-and-remove-person": Nature(BOARD, UNDISCLOSED, DIRECT),
    "right-to-appoint-and-remove-person-as-firm": Nature(BOARD, UNDISCLOSED, FIRM),
    "right-to-appoint-and-remove-person-as-trust": Nature(BOARD, UNDISCLOSED, TRUST),
    "right-to-appoint-and-remove-directors-registered-overseas-entity": Nature(BOARD, UNDISCLOSED, DIRECT),
    "right-to-appoint-and-remove-directors-as-trust-registered-overseas-entity": Nature(BOARD, UNDISCLOSED, TRUST),
    "right-to-appoint-and-remove-directors-as-firm-registered-overseas-entity": Nature(BOARD, UNDISCLOSED, FIRM),
    "registered-owner-as-nominee-person-england-wales-registered-overseas-entity":
        Nature(NOMINATOR, UNDISCLOSED, NOMINEE),
    "registered-owner-as-nominee-person-scotland-registered-overseas-entity": Nature(NOMINATOR, UNDISCLOSED, NOMINEE),
    "registered-owner-as-nominee-person-northern-ireland-registered-overseas-entity":
        Nature(NOMINATOR, UNDISCLOSED, NOMINEE),
    "registered-owner-as-nominee-another-entity-england-wales-registered-overseas-entity":
        Nature(NOMINATOR, UNDISCLOSED, NOMINEE),
    "registered-owner-as-nominee-another-entity-scotland-registered-overseas-entity":
        Nature(NOMINATOR, UNDISCLOSED, NOMINEE),
    "registered-owner-as-nominee-another-entity-northern-ireland-registered-overseas-entity":
        Nature(NOMINATOR, UNDISCLOSED, NOMINEE),
}


def nature(code: str) -> Nature | None:
    return NATURES.get(code.strip().lower())
