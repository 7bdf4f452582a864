import BerthCLI

BerthCommand.runMain()
