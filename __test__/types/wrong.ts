import { JungleGridClient } from '@jungle-grid/mcp'
new JungleGridClient().getJob({ jobid: 5 })
