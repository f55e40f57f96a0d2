// KQL check (issue 14 part 2): parses and analyses every query of
// `hunt rules --dialect kql` with Microsoft's Kusto.Language (npm
// @kusto/language-service-next, the parser behind Kusto Explorer and the
// Monaco editor) against the columns of the Sentinel tables the queries read
// (names and types from the Azure Monitor table reference). Catches syntax
// errors, unknown columns and functions, and type errors; it does not run
// the queries (no Kusto engine here). Usage: node check.js RULES.kql
const dir = process.env.KUSTO_MODULES || 'node_modules';
require(dir + '/@kusto/language-service-next/bridge.js');
require(dir + '/@kusto/language-service-next/Kusto.Language.Bridge.js');
const fs = require('fs');
const K = Kusto.Language;
const signin = '(TimeGenerated:datetime, Id:string, UserPrincipalName:string, IPAddress:string, ResultType:string, ClientAppUsed:string, AuthenticationRequirement:string, LocationDetails:dynamic, AutonomousSystemNumber:string, RiskLevelDuringSignIn:string, RiskState:string, RiskEventTypes_V2:string, HomeTenantId:string, ResourceTenantId:string, SessionId:string, UserAgent:string, AuthenticationProtocol:string, OriginalTransferMethod:string)';
const tables = [
  new K.Symbols.TableSymbol.$ctor7('SigninLogs', signin, null),
  new K.Symbols.TableSymbol.$ctor7('AADNonInteractiveUserSignInLogs', signin.replace('LocationDetails:dynamic', 'LocationDetails:string'), null),
  new K.Symbols.TableSymbol.$ctor7('OfficeActivity', '(TimeGenerated:datetime, OfficeId:string, Operation:string, UserId:string, ClientIP:string, Parameters:string)', null),
  new K.Symbols.TableSymbol.$ctor7('AWSCloudTrail', '(TimeGenerated:datetime, AwsEventId:string, EventName:string, UserIdentityAccessKeyId:string, UserIdentityArn:string, SourceIpAddress:string)', null),
];
const globals = K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.ctor('db', tables));
const text = fs.readFileSync(process.argv[2], 'utf8');
const parts = text.split(/^(?=\/\/ hunt rule:)/m).filter(p => p.trim());
if (parts.length === 0) { console.log('no queries in ' + process.argv[2]); process.exit(1); }
let bad = 0;
for (const p of parts) {
  const name = p.split('\n')[0];
  const code = K.KustoCode.ParseAndAnalyze(p, globals);
  const diags = code.GetDiagnostics();
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    if (d.Severity !== 'Error') continue;
    console.log(name, 'ERROR', d.Message, 'at', JSON.stringify(p.substr(d.Start, 50)));
    bad++;
  }
}
console.log(parts.length + ' queries, ' + bad + ' error(s)');
process.exit(bad ? 1 : 0);
