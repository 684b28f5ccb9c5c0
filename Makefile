# The two commands at the top of README.md:
#   make demo   a local control plane + node on embedded SQLite, with a sample workload
#   make test   every test (unit, conformance on the real engines, end-to-end)
# Both install what is missing first (host packages and daemons need root).

.PHONY: demo test setup host build clean

demo: host setup
	scripts/demo.sh

test: host setup
	npm test

host:
	scripts/host/setup.sh

setup: node_modules/.installed build

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build:
	npm run build --silent

clean:
	rm -rf dist node_modules
