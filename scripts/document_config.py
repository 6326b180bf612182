"""Write config/README.md from the configuration schema (keys, types, defaults, descriptions).

The schema is workflow/schemas/config.schema.yaml plus the settings the representation, model and
network registries declare (`pancan.config_schema`).

python scripts/document_config.py > config/README.md
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # the checkout's package

from pancan.config_schema import workflow_schema


def rows(properties: dict, prefix: str = ""):
    for key, spec in properties.items():
        name = f"{prefix}{key}"
        if spec.get("type") == "object" and "properties" in spec:
            yield from rows(spec["properties"], f"{name}.")
            continue
        kind = spec.get("type", "")
        if "enum" in spec:
            choices = " \\| ".join(map(str, spec["enum"]))
            kind += f" ({choices})"
        default = json.dumps(spec.get("default")) if "default" in spec else ""
        yield f"| `{name}` | {kind} | `{default}` | {spec.get('description', '')} |"


def main() -> None:
    schema = workflow_schema()
    print("# Configuration\n")
    print("`config/config.yaml` is validated against `workflow/schemas/config.schema.yaml`, with the")
    print("settings the representation, model and network registries declare, when the workflow starts: an")
    print("unknown key or a wrong value stops it with a message naming the key.")
    print("Missing keys take the defaults below. Override any key on the command line, e.g.")
    print("`snakemake --cores 2 --config cancer_types='[LUAD]' data_source=cbioportal`.")
    print("A nested key is set by giving its section as YAML; the keys you leave out keep their values:")
    print("`--config 'survival={endpoint: DSS, drop_zero_time: true}' 'download={retries: 2}'`")
    print("(numbers and booleans given this way are converted to the types below).")
    print("Relative paths you set are relative to the working directory; the relative default")
    print("`resources/snapshot` is inside the workflow's folder, so")
    print("`snakemake -s /path/to/pancan/Snakefile -d <dir>` finds the bundled snapshot, while the lock")
    print("files (`download.lock_dir`, default `locks`) stay with the analysis in `<dir>`.\n")
    print("This file is generated: `python scripts/document_config.py > config/README.md`.\n")
    print("| key | type | default | meaning |\n|---|---|---|---|")
    for row in rows(schema["properties"]):
        print(row)


if __name__ == "__main__":
    main()
