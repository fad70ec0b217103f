import marshal
import os
import pickle
import shelve
import subprocess

import dill
import yaml


def restore(blob, path, raw):
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    session = pickle.loads(blob)
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    model = dill.loads(blob)
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    code = marshal.loads(blob)
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    cache = shelve.open(path)
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    config = yaml.load(raw, Loader=yaml.Loader)
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    legacy = yaml.load(raw)
    # ruleid: RRA-PY-UNSAFE-DESERIALISATION
    unsafe = yaml.unsafe_load(raw)
    # ok: RRA-PY-UNSAFE-DESERIALISATION
    safe = yaml.safe_load(raw)
    # ok: RRA-PY-UNSAFE-DESERIALISATION
    also_safe = yaml.load(raw, Loader=yaml.SafeLoader)
    return session, model, code, cache, config, legacy, unsafe, safe, also_safe


def run(name, args):
    # ruleid: RRA-PY-SHELL-PROCESS
    os.system("tar czf backup.tgz " + name)
    # ruleid: RRA-PY-SHELL-PROCESS
    subprocess.call(f"rm -rf {name}", shell=True)
    # ruleid: RRA-PY-SHELL-PROCESS
    os.spawnlp(os.P_WAIT, name, name, *args)
    # ruleid: RRA-PY-SHELL-PROCESS
    os.execvp(name, args)
    # ok: RRA-PY-SHELL-PROCESS
    os.system("sync")
    # ok: RRA-PY-SHELL-PROCESS
    subprocess.run(["tar", "czf", "backup.tgz", "--", name], check=True)
    # ok: RRA-PY-SHELL-PROCESS
    subprocess.run("make clean", shell=True, check=True)
