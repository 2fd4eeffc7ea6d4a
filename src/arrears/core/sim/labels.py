"""Words for the simulator's segments and borrower responses, in English and Chinese.

The core returns keys (`segment.prime_card`, `outcome.promise_broken`); reports and the
dashboard turn them into words with `arrears.core.labels.say(SIM_LABELS, key, language=…)`.
"""

from __future__ import annotations

from arrears.core.labels import Table

SIM_LABELS: Table = {
    "segment.prime_card": {"en": "Prime card", "zh": "优质信用卡客户"},
    "segment.near_prime_card": {"en": "Near-prime card", "zh": "次优信用卡客户"},
    "segment.online_loan": {"en": "Online loan", "zh": "互联网小额贷款"},
    "outcome.answered": {"en": "Answered (right party)", "zh": "本人接通"},
    "outcome.effective": {"en": "Effective contact", "zh": "有效联系"},
    "outcome.paid": {"en": "Paid", "zh": "还款"},
    "outcome.promised": {"en": "Promise to pay", "zh": "承诺还款"},
    "outcome.promise_kept": {"en": "Promise kept", "zh": "承诺兑现"},
    "outcome.promise_broken": {"en": "Broken promise", "zh": "承诺未兑现（跳票）"},
    "outcome.plan_taken": {"en": "Plan taken", "zh": "接受还款计划"},
    "outcome.plan_broken": {"en": "Plan broken", "zh": "还款计划中断"},
    "outcome.complained": {"en": "Complaint", "zh": "投诉"},
    "outcome.opted_out": {"en": "Opt-out", "zh": "退订"},
    "outcome.shock_started": {
        "en": "Income shock (job loss or illness)",
        "zh": "收入冲击（失业或疾病）",
    },
}
