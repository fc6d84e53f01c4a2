"""Re-derive anonymous_bank_1999.csv from the published 6-minute counts (run once, by hand).

    pip install rdata   # reads R's .rds; not a Sanjeh dependency
    python examples/callcenter/derive.py Callcenter.rds examples/callcenter/anonymous_bank_1999.csv

``Callcenter.rds`` is Rfssa_dataset/Callcenter.rds of the GitHub repository
haghbinh/dataset (the data of the Rfssa R package): 87,600 rows of calls per 6-minute
interval, 240 a day, 1999-01-01 to 1999-12-31 (the ``Date`` column counts days since
1970-01-01). This sums each five 6-minute counts into one 30-minute count.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import rdata


def main(source: str, target: str) -> None:
    frame = rdata.read_rds(source)
    days = pd.to_datetime(frame["Date"].astype(int), unit="D")
    assert days.nunique() == 365 and (frame.groupby(days)["u"].count() == 240).all()
    counts = frame["calls"].to_numpy(dtype=float).reshape(365, 240)
    half_hours = counts.reshape(365, 48, 5).sum(axis=2)
    columns = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, 30)]
    out = pd.DataFrame(half_hours, columns=columns)
    out.insert(0, "date", days.drop_duplicates().dt.strftime("%Y-%m-%d").to_numpy())
    text = out.to_csv(index=False, float_format=lambda v: f"{v:g}")
    with open(target, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    print(f"{target}: {int(np.round(half_hours.sum()))} calls over {len(out)} days")


if __name__ == "__main__":
    main(*sys.argv[1:3])
