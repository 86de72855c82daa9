"""Excel formula error values (#DIV/0! …) and uncalculated formulas → CellError with a Chinese message."""

from __future__ import annotations

from .model import CellError

ERROR_MEANING = {
    "#DIV/0!": "除数为零",
    "#REF!": "引用的单元格已被删除或无效",
    "#N/A": "查找的值不存在（如 VLOOKUP 未找到）",
    "#VALUE!": "参与计算的值类型不对",
    "#NAME?": "公式中有无法识别的函数名或名称",
    "#NUM!": "数值无效或超出范围",
    "#NULL!": "引用的区域没有交集",
}
UNCALCULATED = "公式没有计算结果（文件未在 Excel 中打开保存过），请在 Excel 中打开、保存后重新上传"


def formula_error(text: str) -> CellError:
    meaning = ERROR_MEANING.get(text, "单元格没有有效值")
    return CellError(text, f"公式错误 {text}：{meaning}，请在 Excel 中修正后重新上传")
