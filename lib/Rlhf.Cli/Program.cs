using System.CommandLine;
using Rlhf.Cli.Commands;

// `rlhf`: one verb per course stage or tool; every verb calls the library with one options record.
var root = new RootCommand("RlhfNotebooks: RLHF end to end in C# (SFT, reward models, PPO, DPO) on TorchSharp.")
{
    DoctorCommand.Create(),
    CourseCommand.Create(),
    EvalCommand.Create(),
    NotebookCommand.Create(),
    GenerateCommand.Create(),
    TokenizeCommand.Create(),
    ExportCommand.Create(),
    HeadroomCommand.Create(),
    PairsCommand.Create(),
    StudyCommand.Create(),
    ModelSpeedCommand.Create(),
    BenchCommand.Create(),
    DataCommand.Create(),
    DpoCommand.Create(),
    SftCommand.Create(),
    PretrainCommand.Create(),
    RewardModelCommand.Create(),
    PpoCommand.Create(),
    CriticFreeCommand.Grpo(),
    CriticFreeCommand.Rloo(),
    BestOfNCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
