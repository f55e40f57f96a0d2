#!/usr/bin/env python3
# One address (45.83.64.17) failing once for each of N users within one hour,
# as Sentinel SigninLogs rows: the spray-linearity benchmark.
# Usage: bench/gen_spray.py N OUT.ndjson
import json,sys
from datetime import datetime,timedelta,timezone
n=int(sys.argv[1]); out=sys.argv[2]
t=datetime(2026,11,18,0,0,tzinfo=timezone.utc)
step=timedelta(milliseconds=max(1,int(3_600_000/n)))  # all within one hour
with open(out,'w') as f:
    for i in range(n):
        r={"TimeGenerated":(t+step*i).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]+'Z',"Type":"SigninLogs","OperationName":"Sign-in activity",
           "UserPrincipalName":"user%06d@contoso.com"%i,"IPAddress":"45.83.64.17","ResultType":"50126","ResultDescription":"Invalid username or password",
           "AppDisplayName":"Office 365 Exchange Online","ClientAppUsed":"Browser","CorrelationId":"c-%d"%i,"Id":"id-%d"%i,"IsInteractive":"true"}
        f.write(json.dumps(r)+"\n")
