#!/usr/bin/env python3
"""A stand-in for the few `gcloud storage` commands the CI scripts run, over
a folder ($FAKE_GCS_DIR) that behaves like versioned buckets: every upload
of a name makes a new generation, `gs://b/o#G` names one generation, and
custom metadata belongs to a generation. Every call is appended to
$FAKE_GCS_DIR/calls.log (one line, arguments joined by spaces), so tests can
see which identity flags and URLs were used.

  gcloud storage cp SRC DEST [--custom-metadata=k=v,...]
  gcloud storage objects describe URL --raw --format=json
  gcloud storage objects update URL --update-custom-metadata=k=v,...
"""
import json
import os
import shutil
import sys

ROOT = os.environ["FAKE_GCS_DIR"]


def parse_url(url):
    assert url.startswith("gs://"), url
    rest, _, gen = url[5:].partition("#")
    bucket, _, name = rest.partition("/")
    return bucket, name, gen or None


def obj_dir(bucket, name):
    return os.path.join(ROOT, "buckets", bucket, name.replace("/", "%2F"))


def generations(bucket, name):
    d = obj_dir(bucket, name)
    if not os.path.isdir(d):
        return []
    return sorted(int(f[:-5]) for f in os.listdir(d) if f.endswith(".json"))


def resolve(url):
    bucket, name, gen = parse_url(url)
    gens = generations(bucket, name)
    if not gens:
        return None
    g = int(gen) if gen else gens[-1]
    if g not in gens:
        return None
    base = os.path.join(obj_dir(bucket, name), str(g))
    with open(base + ".json") as f:
        meta = json.load(f)
    return base, meta


def kv(arg):
    out = {}
    for pair in arg.split(","):
        k, _, v = pair.partition("=")
        out[k] = v
    return out


def main(argv):
    with open(os.path.join(ROOT, "calls.log"), "a") as log:
        log.write(" ".join(argv) + "\n")
    flags = {a.split("=", 1)[0]: (a.split("=", 1)[1] if "=" in a else "") for a in argv if a.startswith("--")}
    args = [a for a in argv if not a.startswith("--")]
    if args[:2] == ["storage", "cp"]:
        src, dest = args[2], args[3]
        if src.startswith("gs://"):
            found = resolve(src)
            if not found:
                print("ERROR: (gcloud.storage.cp) not found: %s" % src, file=sys.stderr)
                return 1
            data_path = found[0] + ".data"
        else:
            data_path = src
        if dest.startswith("gs://"):
            bucket, name, _ = parse_url(dest)
            gens = generations(bucket, name)
            counter = os.path.join(ROOT, "next-generation")
            g = int(open(counter).read()) if os.path.exists(counter) else 1700000000000001
            with open(counter, "w") as f:
                f.write(str(g + 1))
            os.makedirs(obj_dir(bucket, name), exist_ok=True)
            base = os.path.join(obj_dir(bucket, name), str(g))
            shutil.copyfile(data_path, base + ".data")
            meta = kv(flags["--custom-metadata"]) if "--custom-metadata" in flags else {}
            with open(base + ".json", "w") as f:
                json.dump({"generation": str(g), "metadata": meta}, f)
        else:
            shutil.copyfile(data_path, dest)
        return 0
    if args[:3] == ["storage", "objects", "describe"]:
        found = resolve(args[3])
        if not found:
            print("ERROR: (gcloud.storage.objects.describe) not found: %s" % args[3], file=sys.stderr)
            return 1
        bucket, name, _ = parse_url(args[3])
        print(json.dumps({"bucket": bucket, "name": name, **found[1]}))
        return 0
    if args[:3] == ["storage", "objects", "update"]:
        found = resolve(args[3])
        if not found:
            print("ERROR: (gcloud.storage.objects.update) not found: %s" % args[3], file=sys.stderr)
            return 1
        base, meta = found
        meta["metadata"].update(kv(flags.get("--update-custom-metadata", "")))
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        return 0
    print("fake gcloud: unsupported: %s" % " ".join(argv), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
