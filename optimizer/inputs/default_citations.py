"""The public sources the default case cites, by the name its ``note`` cells use.

The template's README sheet lists the ones a workbook's notes actually name."""

from __future__ import annotations

#: Public sources the case cites, by the name its notes use: (name, what it supports).
CITATIONS: tuple[tuple[str, str], ...] = (
    (
        "seed article",
        "'US Antimony to Source Ore from Alaska': 210+ claims, ~33,000 acres; "
        "100–200 t/month at first, ramping toward 1,000 t/month; Thompson Falls expansion "
        "awaits a DoD grant; China 63% of 2024 US antimony imports.",
    ),
    (
        "fastmarkets.com/?p=71119",
        "Thompson Falls nameplate ~320 t/month, running ~160 t/month in late 2024.",
    ),
    (
        "SEC exhibit uamy_ex991 2025-04-30",
        "Thompson Falls expansion: budget under $15M, "
        "groundbreaking 2025-09-25, target >300 short t/month.",
    ),
    (
        "stocktitan UAMY releases",
        "Madero restarted April 2025; 17 furnaces; engineered "
        "~200 t/month; ~100 t ore/month at first, possibly 300 t/month.",
    ),
    (
        "usantimony.com",
        "Madero feed sizing assumes ~30% Sb direct-shipping ore / "
        "concentrates; terminology: hand-sorted direct-shipping ore 30–60% Sb, flotation "
        "concentrates 50–68%, oxide gravity concentrates 25–40%.",
    ),
    (
        "benzinga",
        "DPA Title III award of $27M (reported 2026-03-05) for Thompson Falls "
        "refining capacity and Alaska extraction.",
    ),
    (
        "SEC 10-Q, metalnomist",
        "DLA five-year IDIQ for antimony metal ingots, up to $245M, "
        "through Sept 2030, ~6.7 Mlb (~3,040 t, ~50 t Sb/month); first order ~$10M for "
        "315,000 lb.",
    ),
    (
        "Q3 2025 call",
        "~$107M five-year antimony trioxide supply agreement; mining in Alaska "
        "and Montana stops in winter.",
    ),
    (
        "Alaska DOT notices",
        "Spring breakup weight limits late March to early June; gross weight cut up to 50%.",
    ),
    (
        "trade press",
        "Public reporting compiled for this case without a recorded outlet: "
        "Mohawk mine (Ester Dome, historic waste rock), first ore trucked to Thompson Falls "
        "2025-09-08; Stibnite Creek / Tok Antimony ~20 mi SW of Tok; ~3,200 km by truck "
        "Alaska → Montana; Alaska Marine Lines weekly Seattle–Whittier rail barges; later "
        "Thompson Falls expansion reports of 400–600 t/month; recent Thompson Falls feed ~49% "
        "Sb; imported Australian ore reached Manzanillo after a 75-day voyage; a Costerfield "
        "cargo returned for excess arsenic, Costerfield 1,050–1,150 t Sb/yr; supply contracts "
        "in 10 countries incl. Bolivia; antimony $57,000–61,000/t (June 2025), US trioxide "
        "~$58,300/t (Q4 2025), USAC realized $28.32–28.72/lb (~$62,400–63,300/t) in 2025; "
        "China's US export ban suspended until 2026-11-27; volatilization ~95% recovery in a "
        "lab study.",
    ),
)
