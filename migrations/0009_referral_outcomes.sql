-- A 拒执 referral can end without a judgment (issue 4):
--   * the public security organ withdraws the case (撤销案件) or the procuratorate decides not to
--     prosecute (不起诉) after 立案: 不予追究, which opens the applicant's 自诉 (法释〔2024〕13号
--     art 14) just as a refusal to file does;
--   * the 自诉 is withdrawn (撤回自诉) or settled (和解) before judgment (刑事诉讼法 art 212).
ALTER TABLE refusal_referrals ADD COLUMN dropped_on TEXT;
-- police | procuratorate
ALTER TABLE refusal_referrals ADD COLUMN dropped_by TEXT;
ALTER TABLE refusal_referrals ADD COLUMN dropped_note TEXT;
ALTER TABLE refusal_referrals ADD COLUMN ended_on TEXT;
ALTER TABLE refusal_referrals ADD COLUMN end_note TEXT;
