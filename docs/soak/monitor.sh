#!/usr/bin/env bash
# samples the soak server every 30 s: wall time, server CPU seconds (user+sys), accepted events, RSS, load
S=$1; PORT=$2; OUT=$3
echo "# utc server_cpu_s accepted_total rss_mib load1 load5" >> "$OUT"
while kill -0 "$S" 2>/dev/null; do
  read -r -a st < /proc/$S/stat
  cpu=$(( (${st[13]} + ${st[14]}) / 100 ))
  rss=$(( ${st[23]} * 4 / 1024 ))
  acc=$(curl -s -m 20 localhost:$PORT/metrics | awk '/^tally_events_accepted_total/ {printf "%d", $2}')
  echo "$(date -u +%T) $cpu ${acc:-?} $rss $(cut -d' ' -f1,2 /proc/loadavg)" >> "$OUT"
  sleep 30
done
