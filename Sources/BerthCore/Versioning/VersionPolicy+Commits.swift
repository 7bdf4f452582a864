extension VersionPolicy {
    /// Each commit since the base read under this policy, in the order given (newest first).
    ///
    /// With `cancelsReverts`, a revert and the commit it names, both in `commits`, drop out together, as
    /// conventional-commits-filter does for semantic-release: walking from the newest, each revert waits for
    /// the older commit it names (`RevertReference.names`); a revert of a revert cancels that revert and
    /// leaves the original counted. A revert whose commit isn't there (released before) counts as type
    /// `revert`, whether written `revert: …` or as git writes it (`Revert "…"`).
    public func count(_ commits: [ParsedCommit], below1 isBelowOne: Bool) -> [CountedCommit] {
        var cancelled: [String: CommitRuling] = [:]
        if cancelsReverts {
            var pending: [(sha: String, reference: RevertReference)] = []
            for parsed in commits {
                let commit = parsed.commit
                if !pending.isEmpty, let index = pending.firstIndex(where: { $0.reference.names(commit) }) {
                    let revert = pending.remove(at: index)
                    cancelled[commit.sha] = .revertedBy(revert.sha)
                    cancelled[revert.sha] = .reverts(commit.sha)
                } else if let reference = parsed.revert {
                    pending.append((commit.sha, reference))
                }
            }
        }
        return commits.map { parsed in
            let (commit, conventional) = (parsed.commit, parsed.conventional)
            func counted(_ bump: VersionBump?, _ ruling: CommitRuling) -> CountedCommit {
                CountedCommit(sha: commit.sha, subject: parsed.subject, conventional: conventional, bump: bump, ruling: ruling)
            }
            if let ruling = cancelled[commit.sha] { return counted(nil, ruling) }
            if let conventional {
                let decided = ruling(for: conventional, below1: isBelowOne)
                return counted(decided.bump, decided.ruling)
            }
            guard parsed.revert != nil else { return counted(nil, .notConventional) }
            guard let rule = bumps.rule(type: "revert", scope: nil) else { return counted(nil, .unmatched) }
            return counted(rule.bump, .rule(rule))
        }
    }

    /// `count(_:below1:)` of commits not yet parsed.
    public func count(_ commits: [GitCommit], below1 isBelowOne: Bool) -> [CountedCommit] {
        count(commits.map(ParsedCommit.init), below1: isBelowOne)
    }
}
