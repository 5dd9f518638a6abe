"""What the study scripts of docs/results/speed share: reading one `dop-bench average` CSV,
applying the automatic stop's rule to the change it recorded, and the no-early-stopping
check."""
import csv, math

# The automatic stop (ConvergenceStop): 3 checks in a row, 100 iterations
# apart, with the 0.95 average's RMS change below TOL, not before MIN_IT.
TOL, PATIENCE, MIN_IT = 0.0025, 3, 1000


def load(path):
    """iteration -> {column: value} of one run, in `dop-bench average`'s column names
    (psnr_last, psnr_avg<beta>, change_last, change_avg<beta>). The first runs of the
    output-average study came from a driver that wrote raw, ema<beta> and change_ema<beta>;
    those are renamed."""
    rename = (("change_raw", "change_last"), ("change_ema", "change_avg"), ("raw", "psnr_last"),
              ("ema", "psnr_avg"))
    runs = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            named = {}
            for k, v in row.items():
                for old, new in rename:
                    if k.startswith(old):
                        k = new + k[len(old):]
                        break
                named[k] = float(v) if v not in ("", "nan", None) else math.nan
            runs[int(named["iteration"])] = named
    return runs


def value(run, it, key="psnr_avg0.95"):
    """The run's `key` at iteration `it`, NaN where it was not recorded."""
    return run.get(it, {}).get(key, math.nan)


def auto_stop(run, last=2000, beta="0.95"):
    """The iteration at which the automatic stop would end a run of at most `last`."""
    quiet = 0
    for it in sorted(run):
        if it % 100 or it > last:
            continue
        quiet = quiet + 1 if value(run, it, "change_avg" + beta) < TOL else 0
        if quiet >= PATIENCE and it >= MIN_IT and it < last:
            return it
    return min(last, max(run))


def three_times(run, last=2000, beta="0.95"):
    """The no-early-stopping check of a run recorded to 3 x `last` iterations: where the
    automatic stop ends a default run, the PSNR change from there to 3 x `last`, and the
    verdict (within 0.3 dB, or why not)."""
    stop = auto_stop(run, last, beta)
    key = "psnr_avg" + beta
    d = value(run, 3 * last, key) - value(run, stop, key)
    verdict = "yes" if abs(d) <= 0.3 else "**no** (" + ("declines" if d < 0 else "not yet converged") + ")"
    return stop, d, verdict
