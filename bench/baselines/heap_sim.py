"""The yardstick of the simulate benchmark: a plain heap-based simulator of the same trace.

`python3 bench/baselines/heap_sim.py TRACE CLUSTER OUTDIR` replays a gpupool trace on a cluster
file as `gpupool simulate --placement count --policy fifo --no-report` does, and nothing more: a
queue per pool in submission order, started strictly in order (fifo: a job whose GPU count is not
free holds the ones behind it), a heap of end times. Only starts and ends: no engine, no events,
no commands, no nodes or devices, no wait reasons. It writes OUTDIR/jobs.csv and
OUTDIR/summary.json and prints the average JCT, the same as gpupool's (8197.79 s on the
70,000-job benchmark trace).

Why: the simulate target (70,000 jobs with --no-report in 0.6 s, start-up included) was set as
about 1.33 times this script's time (0.45 s when it was set). The benchmark runs both on the same
machine and reports the ratio, which holds better than seconds on a shared machine.
"""
import csv, heapq, json, os, sys
from collections import deque
trace, cluster, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
free = {}
with open(cluster) as f:
    for r in csv.DictReader(f): free[r['pool']] = int(r['nodes']) * int(r['gpus_per_node'])
jobs = []
with open(trace) as f:
    for r in csv.DictReader(f): jobs.append([r['job_id'], r['pool'], int(r['gpus']), int(r['submit_time']), int(r['duration']), None, None])
jobs.sort(key=lambda j: j[3])
queues = {p: deque() for p in free}
ends = []
i = 0; n = len(jobs)
while i < n or ends:
    t = min(jobs[i][3] if i < n else float('inf'), ends[0][0] if ends else float('inf'))
    touched = set()
    while ends and ends[0][0] == t:
        _, k = heapq.heappop(ends); j = jobs[k]; free[j[1]] += j[2]; touched.add(j[1])
    while i < n and jobs[i][3] == t:
        queues[jobs[i][1]].append(i); touched.add(jobs[i][1]); i += 1
    for p in touched:
        q = queues[p]
        while q and jobs[q[0]][2] <= free[p]:
            k = q.popleft(); j = jobs[k]; free[p] -= j[2]; j[5] = t; j[6] = t + j[4]; heapq.heappush(ends, (j[6], k))
with open(out + '/jobs.csv', 'w') as f:
    w = csv.writer(f); w.writerow(['job_id', 'pool', 'gpus', 'submit_time', 'duration', 'start_time', 'end_time'])
    for j in jobs: w.writerow(j[:7])
jct = sorted(j[6] - j[3] for j in jobs)
json.dump({'jobs': n, 'avgJct': sum(jct) / n, 'p95Jct': jct[int(0.95 * n)]}, open(out + '/summary.json', 'w'))
print(sum(jct) / n)
