-- The record of a 拘传's questioning (询问笔录, issue 4): where and when it ran (from the arrival,
-- 民诉法解释 art 482, to `questioning_ended_at`), the questioners and the recorder (two officers at
-- least), the person questioned (the one the 拘传 was issued for, name and ID number), that
-- certificates were shown and rights, obligations and the consequences of a false statement told
-- (民事诉讼法 arts 114, 133, 239, 252), the questions and answers in order, and how the record was
-- read over and signed or the refusal noted (民事诉讼法 arts 133, 150). One JSON object
-- (`zhixing_domain::measure::QuestioningRecord`), checked by `check_questioning_record` before it is
-- written; NULL for every other measure and for a 拘传 executed before this column existed. The
-- table keeps its key (court_code, id).
ALTER TABLE measures ADD COLUMN questioning_record TEXT;
