# 专项整治数据看板 — 常用命令。第一次运行会自动创建虚拟环境并安装依赖。
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
DB := data/db/dashboard.duckdb
PORT ?= 8501
DB_INPUTS := $(shell find data/sample data/campaigns etl -type f -not -name '*.pyc' 2>/dev/null)

.PHONY: run test lint bench db sample sysdeps screenshots clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*; touch $@

$(DB): $(STAMP) $(DB_INPUTS)
	$(PY) -m etl build-sample --db $(DB) --quiet

db: $(STAMP)
	$(PY) -m etl build-sample --db $(DB)

run: $(DB)
	$(PY) -m dashboard.serve --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# 浏览器测试需要 Debian 的 chromium 与中文字体，状态库测试需要 PostgreSQL（initdb、pg_ctl）；缺少时自动安装（需 root）。
PG_BIN_FOUND = command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
sysdeps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  echo "安装 chromium 与 fonts-noto-cjk …"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi
	@if ! ( $(PG_BIN_FOUND) ); then \
	  echo "安装 postgresql …"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

test: $(STAMP) sysdeps
	DASHBOARD_REQUIRE_POSTGRES=1 $(PY) -m pytest -q -n 2 --dist loadfile

# 重新截取各页面截图到 docs/screenshots（README 中引用）
screenshots: $(STAMP) sysdeps
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -q tests/test_browser.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

sample: $(STAMP)
	$(PY) -m samplegen --campaign fuyang-2023 --out data/sample/fuyang-2023
	$(PY) -m samplegen --campaign haixi-2023 --out data/sample/haixi-2023

# 基准（一次运行并排打印）：重建（冷启动 / 新增一份台账 / 改动一份台账 / 改配置，各自峰值内存）、读取与 pandas+openpyxl
# 对比、各页面耗时（示例库与生成的大库）、无头 Chromium 中各页面第一张图画出的时间（示例库）。默认中等规模几分钟跑完；全国规模（约 2.4 万个文件，首次生成数据需数分钟）：
#   make bench BENCH_SCALE="--units 3000 --leads 1000000"
BENCH_SCALE ?= --units 300 --leads 100000
BENCH_REPEAT ?= 3
bench: $(STAMP) $(DB) sysdeps
	$(PY) -m bench.build_speed $(BENCH_SCALE) --repeat $(BENCH_REPEAT)
	$(PY) -m bench.import_speed $(BENCH_SCALE) --repeat $(BENCH_REPEAT)
	$(PY) -m bench.page_speed
	$(PY) -m bench.browser_speed --runs 5

clean:
	rm -rf $(VENV) data/db .pytest_cache
