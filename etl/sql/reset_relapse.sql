-- 反弹标记恢复为读入时的样子（derive_relapse.sql 推导之前）：推导只会把 is_relapse 置为 true、补上
-- relapse_basis = '推导' 和 relapse_of；读入的行 relapse_of 一律为空，relapse_basis 只可能是台账标注/文字/前期来源。
-- 新建的库里没有推导过的行（本句不改任何行）；就地更新的库（etl/db_increment.py）先恢复再重新推导。
UPDATE ledger_snapshots
SET relapse_basis = nullif(relapse_basis, '推导'),
    is_relapse = nullif(relapse_basis, '推导') IS NOT NULL,
    relapse_of = NULL
WHERE relapse_of IS NOT NULL OR relapse_basis = '推导';
